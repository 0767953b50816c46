"use client";

import { useState } from "react";
import { callAction } from "@/components/call-action";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { Name } from "@/components/name";
import { SecretReveal, SHOW_ONCE_GUARD } from "@/components/secret-reveal";
import { Button } from "@/components/ui/button";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import type { PersonRow } from "@/lib/domain/people/types";
import { resetPasswordAction } from "./actions";

type Reset = { name: string; email: string; oneTimePassword: string };

/**
 * The dialogs behind "Reset password" in a person's row (./row-controls): asks first (every session of theirs
 * ends), then shows the one-time password once, closed only by "I've stored it".
 */
export function ResetPasswordDialogs({ person, confirming, onClose }: { person: PersonRow; confirming: boolean; onClose: () => void }) {
  const [reset, setReset] = useState<Reset | null>(null);
  return (
    <>
      <ConfirmDialog
        open={confirming}
        onClose={onClose}
        testId="reset-password-dialog"
        title={<>Reset the password of <Name name={person.name} />?</>}
        confirmLabel="Reset password"
        pendingLabel="Resetting…"
        variant="primary"
        onConfirm={async () => {
          const result = await callAction(() => resetPasswordAction({ personId: person.id }));
          if (!result.ok) return { ok: false, message: result.message };
          setReset({ name: result.data.name, email: result.data.email, oneTimePassword: result.data.oneTimePassword });
          return { ok: true };
        }}
      >
        <p>
          <Name name={person.name} /> ({person.email}) is signed out everywhere at once and their current password stops working. You get a one-time
          password to give them; when they sign in with it, they must choose a new password before anything else.
        </p>
      </ConfirmDialog>
      <Dialog
        open={reset !== null}
        onClose={() => setReset(null)}
        title={reset ? <>New password for <Name name={reset.name} /></> : "New password"}
        testId="password-reset-dialog"
        wide
        dismissGuard={SHOW_ONCE_GUARD}
      >
        {reset && (
          <div className="flex flex-col gap-4">
            <SecretReveal
              label={`One-time password for ${reset.email}`}
              value={reset.oneTimePassword}
              warning={
                <>
                  <strong>Copy this password now: it won&apos;t be shown again.</strong> Give it to <Name name={reset.name} /> over a safe channel; after
                  signing in with it they choose their own.
                </>
              }
            />
            <DialogActions>
              <Button onClick={() => setReset(null)}>I&apos;ve stored it</Button>
            </DialogActions>
          </div>
        )}
      </Dialog>
    </>
  );
}
