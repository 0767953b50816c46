"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { callAction } from "@/components/call-action";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import type { Result } from "@/lib/domain/result";

/** Settings → Account (owners): require two-factor sign-in for everyone, after a confirmation that says who it stops. */
export function TwoFactorRequirementSetting({
  required,
  peopleWithout,
  action,
}: {
  required: boolean;
  peopleWithout: number;
  action: (input: { required: boolean }) => Promise<Result<{ required: boolean; peopleWithout: number }>>;
}) {
  const router = useRouter();
  const toast = useToast();
  const [confirming, setConfirming] = useState(false);
  const people = `${peopleWithout} ${peopleWithout === 1 ? "person" : "people"}`;
  return (
    <div className="flex flex-col items-start gap-3">
      <p className="text-sm text-slate-600" data-testid="two-factor-requirement">
        {required ? (
          <>
            <strong className="font-medium text-slate-900">Required.</strong> Everyone who signs in with a password must use a second factor.
            {peopleWithout > 0 && <> {people} without one will be asked to set it up before anything else.</>}
          </>
        ) : (
          <>
            <strong className="font-medium text-slate-900">Not required.</strong> Each person may turn it on in their Settings
            {peopleWithout > 0 ? <> ({people} have not).</> : <> (everyone has).</>}
          </>
        )}{" "}
        People who sign in through single sign-on or GitHub rely on that provider&apos;s own second factor.
      </p>
      <Button variant={required ? "secondary" : "primary"} onClick={() => setConfirming(true)}>
        {required ? "Stop requiring two-factor sign-in" : "Require two-factor sign-in"}
      </Button>
      <ConfirmDialog
        open={confirming}
        onClose={() => setConfirming(false)}
        testId="two-factor-requirement-dialog"
        title={required ? "Stop requiring two-factor sign-in?" : "Require two-factor sign-in for everyone?"}
        confirmLabel={required ? "Stop requiring" : "Require it"}
        pendingLabel="Saving…"
        variant={required ? "danger" : "primary"}
        onConfirm={async () => {
          const result = await callAction(() => action({ required: !required }));
          if (!result.ok) return { ok: false, message: result.message };
          toast.success(result.data.required ? "Two-factor sign-in is now required." : "Two-factor sign-in is no longer required.");
          router.refresh();
          return { ok: true };
        }}
      >
        {required ? (
          <p>People who already use a second factor keep it; others may sign in with their password alone again.</p>
        ) : (
          <p>
            From their next click on, people signed in with a password and without a second factor (now {people}, maybe you too) can do nothing
            but set one up. Ask them to have an authenticator app ready.
          </p>
        )}
      </ConfirmDialog>
    </div>
  );
}
