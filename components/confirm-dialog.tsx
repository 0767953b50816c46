"use client";

import { useId, useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button, Spinner } from "@/components/ui/button";
import { buttonClass, type ButtonVariant } from "@/components/ui/button-styles";
import { Dialog, DialogActions } from "@/components/ui/dialog";

/** What a confirmed action reports back: on failure the dialog stays open and shows the message. */
export type ConfirmOutcome = { ok: true } | { ok: false; message: string };

/**
 * Asks before an action, optionally making the person type a word first (a
 * bot's name, a count) so a destructive click cannot happen by accident. The
 * confirm button shows progress while the action runs; Cancel has the focus.
 */
export function ConfirmDialog({
  open,
  onClose,
  title,
  children,
  confirmLabel,
  pendingLabel,
  variant = "danger",
  typeToConfirm,
  onConfirm,
  testId,
}: {
  open: boolean;
  onClose: () => void;
  title: React.ReactNode;
  children?: React.ReactNode;
  confirmLabel: string;
  pendingLabel: string;
  variant?: ButtonVariant;
  /** When set, the confirm button stays disabled until the typed text is one of `accept`. */
  typeToConfirm?: { label: React.ReactNode; accept: string[]; caseInsensitive?: boolean };
  onConfirm: () => Promise<ConfirmOutcome>;
  testId?: string;
}) {
  return (
    <Dialog open={open} onClose={onClose} title={title} testId={testId}>
      <ConfirmBody
        onClose={onClose}
        confirmLabel={confirmLabel}
        pendingLabel={pendingLabel}
        variant={variant}
        typeToConfirm={typeToConfirm}
        onConfirm={onConfirm}
      >
        {children}
      </ConfirmBody>
    </Dialog>
  );
}

function ConfirmBody({
  onClose,
  children,
  confirmLabel,
  pendingLabel,
  variant,
  typeToConfirm,
  onConfirm,
}: {
  onClose: () => void;
  children?: React.ReactNode;
  confirmLabel: string;
  pendingLabel: string;
  variant: ButtonVariant;
  typeToConfirm?: { label: React.ReactNode; accept: string[]; caseInsensitive?: boolean };
  onConfirm: () => Promise<ConfirmOutcome>;
}) {
  const [typed, setTyped] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const inputId = useId();

  const normalize = (s: string) => (typeToConfirm?.caseInsensitive ? s.trim().toLowerCase() : s.trim());
  const matches = !typeToConfirm || typeToConfirm.accept.some((a) => normalize(a) === normalize(typed));

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!matches || pending) return;
    setError(null);
    startTransition(async () => {
      let outcome: ConfirmOutcome;
      try {
        outcome = await onConfirm();
      } catch (err) {
        console.error(err);
        outcome = { ok: false, message: "Something went wrong, so this may not have happened. Reload the page to see the current state." };
      }
      if (outcome.ok) onClose();
      else setError(outcome.message);
    });
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
      {children && <div className="flex flex-col gap-2 text-sm text-slate-700">{children}</div>}
      {error && <Alert data-testid="confirm-error">{error}</Alert>}
      {typeToConfirm && (
        <div className="flex flex-col gap-1.5">
          <label htmlFor={inputId} className="text-sm font-medium text-slate-700">
            {typeToConfirm.label}
          </label>
          <input
            id={inputId}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            data-autofocus
            className="min-h-10 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-xs"
          />
        </div>
      )}
      <DialogActions>
        <Button variant="secondary" onClick={onClose} data-autofocus={typeToConfirm ? undefined : true}>
          Cancel
        </Button>
        <button type="submit" disabled={!matches || pending} aria-busy={pending} className={buttonClass(variant)}>
          {pending && <Spinner />}
          {pending ? pendingLabel : confirmLabel}
        </button>
      </DialogActions>
    </form>
  );
}
