"use client";

import { useId, useState, useTransition } from "react";
import { callAction } from "@/components/call-action";
import { Alert } from "@/components/ui/alert";
import { Button, Spinner } from "@/components/ui/button";
import { buttonClass } from "@/components/ui/button-styles";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { useToast } from "@/components/ui/toast";
import type { CredentialView } from "@/lib/domain/credentials/credential-view";
import type { CredentialActions, RevealedSecret } from "./form-state";
import { GRACE_OPTIONS, KIND_LABELS, inSentence } from "./labels";

/** Issues a new secret for an authtoken or API key; the old one lasts for the chosen grace period. */
export function RotateCredentialDialog({
  rotate,
  credential,
  onClose,
  onRotated,
}: {
  /** The rotate server action (app/(dashboard)/credentials/actions.ts). */
  rotate: CredentialActions["rotate"];
  credential: CredentialView | null;
  onClose: () => void;
  onRotated: (secret: RevealedSecret) => void;
}) {
  return (
    <Dialog
      open={credential !== null}
      onClose={onClose}
      testId="rotate-credential-dialog"
      title={credential ? `Rotate ${inSentence(KIND_LABELS[credential.kind])} ${credential.display}?` : "Rotate"}
      description="A new secret with the same owner, description, metadata and ACL replaces this one."
    >
      {credential && <RotateForm rotate={rotate} credential={credential} onClose={onClose} onRotated={onRotated} />}
    </Dialog>
  );
}

function RotateForm({
  rotate,
  credential,
  onClose,
  onRotated,
}: {
  rotate: CredentialActions["rotate"];
  credential: CredentialView;
  onClose: () => void;
  onRotated: (s: RevealedSecret) => void;
}) {
  const toast = useToast();
  const id = useId();
  const [grace, setGrace] = useState("24h");
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (pending) return;
    setError(null);
    startTransition(async () => {
      const result = await callAction(() => rotate({ id: credential.id, grace }));
      if (!result.ok) {
        setError(result.message);
        toast.error(`Could not rotate ${credential.display}: ${result.message}`);
        return;
      }
      toast.success(`Rotated ${credential.display}: copy the new secret now.`);
      onRotated({ token: result.data.token, credential: result.data.credential, previous: result.data.previous });
      onClose();
    });
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      {error && <Alert data-testid="rotate-error">{error}</Alert>}
      <div className="flex flex-col gap-1.5">
        <label htmlFor={id} className="text-sm font-medium text-slate-700">
          Grace period for the old secret
        </label>
        <select
          id={id}
          name="grace"
          value={grace}
          onChange={(e) => setGrace(e.target.value)}
          aria-describedby={`${id}-hint`}
          className="min-h-10 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-xs"
        >
          {GRACE_OPTIONS.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          Both secrets work during the grace period, so you can switch your integration without downtime.
        </p>
      </div>
      <DialogActions>
        <Button variant="secondary" onClick={onClose}>
          Cancel
        </Button>
        <button type="submit" disabled={pending} aria-busy={pending} className={buttonClass("primary")}>
          {pending && <Spinner />}
          {pending ? "Rotating…" : "Rotate"}
        </button>
      </DialogActions>
    </form>
  );
}
