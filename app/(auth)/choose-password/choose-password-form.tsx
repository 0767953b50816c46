"use client";

import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { PASSWORD_MIN } from "@/lib/validation/limits";
import { choosePasswordAction, type ChoosePasswordState } from "./actions";

export function ChoosePasswordForm({ email }: { email: string }) {
  const [state, action] = useActionState<ChoosePasswordState, FormData>(choosePasswordAction, {});
  const fieldErrors = state.fieldErrors ?? {};
  return (
    <form action={action} className="flex flex-col gap-4" noValidate>
      {state.message && !fieldErrors.newPassword && !fieldErrors.confirmPassword && <Alert data-testid="choose-password-error">{state.message}</Alert>}
      {/* For password managers: the account the new password belongs to. */}
      <input type="text" name="username" autoComplete="username" value={email} readOnly hidden />
      <Field
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        autoFocus
        minLength={PASSWORD_MIN}
        hint={`At least ${PASSWORD_MIN} characters.`}
        error={fieldErrors.newPassword}
      />
      <Field label="Repeat the new password" name="confirmPassword" type="password" autoComplete="new-password" error={fieldErrors.confirmPassword} />
      <SubmitButton pendingLabel="Saving…" className="w-full">
        Save and continue
      </SubmitButton>
    </form>
  );
}
