"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { callAction } from "@/components/call-action";
import { Timestamp } from "@/components/timestamp";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import type { Result } from "@/lib/domain/result";
import { CodeDialog } from "./code-dialog";
import { EnrolTwoFactor, type EnrolmentActions } from "./enrol-two-factor";
import { RecoveryCodesReveal } from "./recovery-codes-reveal";

export interface TwoFactorPanelActions extends EnrolmentActions {
  disable: (input: { code: string }) => Promise<Result<undefined>>;
  regenerate: (input: { code: string }) => Promise<Result<{ recoveryCodes: string[] }>>;
}

/** The person's own second factor in Settings: set it up, or (when on) new recovery codes and turning it off. */
export function TwoFactorPanel({
  status,
  externalProviders,
  actions,
}: {
  status: { enabled: boolean; enabledAt: Date | null; recoveryCodesLeft: number; requiredBy: string[] };
  externalProviders: string[];
  actions: TwoFactorPanelActions;
}) {
  const router = useRouter();
  const toast = useToast();
  const [dialog, setDialog] = useState<"regenerate" | "disable" | null>(null);
  const [newCodes, setNewCodes] = useState<string[] | null>(null);
  const done = () => router.refresh();

  return (
    <div className="flex flex-col gap-4" data-testid="two-factor-panel">
      <p className="text-sm text-slate-600">
        With two-factor sign-in, signing in with your password also asks for a code from an authenticator app on your phone.
        {externalProviders.length > 0 && (
          <>
            {" "}
            It guards password sign-in only: when you sign in with {externalProviders.join(" or ")}, that provider&apos;s own second factor protects
            you (turn it on there).
          </>
        )}
        {status.requiredBy.length > 0 && <> {status.requiredBy.join(", ")} requires it.</>}
      </p>
      {newCodes ? (
        <RecoveryCodesReveal codes={newCodes} onDone={() => { setNewCodes(null); done(); }} />
      ) : status.enabled ? (
        <>
          <p className="text-sm" data-testid="two-factor-status">
            <strong className="font-medium text-emerald-700">On</strong>
            {status.enabledAt && (
              <>
                {" "}
                since <Timestamp at={status.enabledAt} />
              </>
            )}
            . {status.recoveryCodesLeft} unused recovery {status.recoveryCodesLeft === 1 ? "code" : "codes"} left.
          </p>
          <div className="flex flex-wrap gap-2">
            <Button variant="secondary" onClick={() => setDialog("regenerate")}>
              New recovery codes
            </Button>
            <Button
              variant="dangerGhost"
              onClick={() => setDialog("disable")}
              disabled={status.requiredBy.length > 0}
              title={status.requiredBy.length > 0 ? `${status.requiredBy.join(", ")} requires two-factor sign-in` : undefined}
            >
              Turn off
            </Button>
          </div>
        </>
      ) : (
        <EnrolTwoFactor actions={actions} onConfirmed={setNewCodes} />
      )}
      <CodeDialog
        open={dialog === "regenerate"}
        onClose={() => setDialog(null)}
        title="New recovery codes"
        confirmLabel="Make new codes"
        pendingLabel="Making…"
        testId="regenerate-codes-dialog"
        action={(code) => callAction(() => actions.regenerate({ code }))}
        onDone={(data) => {
          setDialog(null);
          setNewCodes(data.recoveryCodes);
        }}
      >
        <p>Your current recovery codes stop working, and you get ten new ones, shown once.</p>
      </CodeDialog>
      <CodeDialog
        open={dialog === "disable"}
        onClose={() => setDialog(null)}
        title="Turn off two-factor sign-in?"
        confirmLabel="Turn off"
        pendingLabel="Turning off…"
        variant="danger"
        testId="disable-two-factor-dialog"
        action={(code) => callAction(() => actions.disable({ code }))}
        onDone={() => {
          setDialog(null);
          toast.success("Two-factor sign-in is off.");
          done();
        }}
      >
        <p>Your password alone will sign you in again, and your recovery codes stop working.</p>
      </CodeDialog>
    </div>
  );
}
