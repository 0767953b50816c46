"use client";

import { callAction } from "@/components/call-action";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { Name } from "@/components/name";
import { useToast } from "@/components/ui/toast";
import type { PersonRow } from "@/lib/domain/people/types";
import { resetTwoFactorAction } from "./actions";

/** Behind "Reset two-factor" in a person's row (./row-controls): asks first, since every session of theirs ends. */
export function ResetTwoFactorDialog({ person, confirming, onClose }: { person: PersonRow; confirming: boolean; onClose: () => void }) {
  const toast = useToast();
  return (
    <ConfirmDialog
      open={confirming}
      onClose={onClose}
      testId="reset-two-factor-dialog"
      title={<>Reset the two-factor sign-in of <Name name={person.name} />?</>}
      confirmLabel="Reset two-factor"
      pendingLabel="Resetting…"
      onConfirm={async () => {
        const result = await callAction(() => resetTwoFactorAction({ personId: person.id }));
        if (!result.ok) return { ok: false, message: result.message };
        toast.success(<>Reset the two-factor sign-in of <Name name={person.name} />.</>);
        return { ok: true };
      }}
    >
      <p>
        For someone who lost their phone and their recovery codes. <Name name={person.name} /> ({person.email}) is signed out everywhere at once; their
        authenticator app and recovery codes stop working, and their password alone signs them in until they set up a new app (at once, if the
        account requires it). Make sure it is really them asking.
      </p>
    </ConfirmDialog>
  );
}
