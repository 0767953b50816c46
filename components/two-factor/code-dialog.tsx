"use client";

import { useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button, Spinner } from "@/components/ui/button";
import { buttonClass, type ButtonVariant } from "@/components/ui/button-styles";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import type { Result } from "@/lib/domain/result";

/**
 * A confirmation that asks for a current code (from the app, or a recovery
 * code) before a change to one's own second factor: the code is the proof, the
 * dialog the confirmation. On success `onDone` gets the action's data.
 */
export function CodeDialog<T>({
  open,
  onClose,
  title,
  children,
  confirmLabel,
  pendingLabel,
  variant = "primary",
  action,
  onDone,
  testId,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: React.ReactNode;
  confirmLabel: string;
  pendingLabel: string;
  variant?: ButtonVariant;
  action: (code: string) => Promise<Result<T>>;
  onDone: (data: T) => void;
  testId: string;
}) {
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <Dialog open={open} onClose={onClose} title={title} testId={testId}>
      <form
        className="flex flex-col gap-4"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const code = String(new FormData(e.currentTarget).get("code") ?? "");
          startTransition(async () => {
            setError(null);
            const result = await action(code);
            if (result.ok) onDone(result.data);
            else setError({ message: result.message, field: result.fieldErrors?.code });
          });
        }}
      >
        <div className="flex flex-col gap-2 text-sm text-slate-700">{children}</div>
        {error && !error.field && <Alert data-testid="code-dialog-error">{error.message}</Alert>}
        <Field label="Current code (or a recovery code)" name="code" autoComplete="one-time-code" maxLength={64} required error={error?.field} data-autofocus />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <button type="submit" disabled={pending} aria-busy={pending} className={buttonClass(variant)}>
            {pending && <Spinner />}
            {pending ? pendingLabel : confirmLabel}
          </button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
