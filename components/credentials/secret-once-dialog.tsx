"use client";

import { Name } from "@/components/name";
import { SecretReveal, SHOW_ONCE_GUARD } from "@/components/secret-reveal";
import { formatDateTime } from "@/components/format";
import { useTimeZone } from "@/components/time-zone";
import { Button } from "@/components/ui/button";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import type { RevealedSecret } from "./form-state";
import { KIND_LABELS, inSentence } from "./labels";

export const SHOW_ONCE_WARNING = "This is the only time this secret will be shown. Store it somewhere safe now.";

/**
 * Shows a new authtoken or API key once. The secret exists only in the state
 * that holds `secret`; closing the dialog clears that state, so it closes only
 * by "I've stored it": Esc, × or a click outside ask first.
 */
export function SecretOnceDialog({ secret, onClose }: { secret: RevealedSecret | null; onClose: () => void }) {
  const zone = useTimeZone();
  const label = secret ? KIND_LABELS[secret.credential.kind] : "Secret";
  return (
    <Dialog
      open={secret !== null}
      onClose={onClose}
      wide
      testId="secret-once-dialog"
      dismissGuard={SHOW_ONCE_GUARD}
      title={secret?.previous ? `Your new ${inSentence(label)}` : `${label} created`}
      description={
        secret ? (
          <>
            Owned by <Name name={secret.credential.owner.name} />
            {secret.credential.description && <> · <bdi className="[overflow-wrap:anywhere]">{secret.credential.description}</bdi></>}
          </>
        ) : undefined
      }
    >
      {secret && (
        <>
          <SecretReveal label={label} value={secret.token} warning={SHOW_ONCE_WARNING} />
          {secret.previous && (
            <p className="text-sm text-slate-700" data-testid="rotation-note">
              {secret.previous.expiresAt.getTime() <= secret.credential.createdAt.getTime() + 5_000
                ? "The old secret stopped working now."
                : `The old secret keeps working until ${formatDateTime(secret.previous.expiresAt, zone)}, so you can switch without downtime.`}
            </p>
          )}
          <DialogActions>
            <Button onClick={onClose}>I&apos;ve stored it</Button>
          </DialogActions>
        </>
      )}
    </Dialog>
  );
}
