"use client";

import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { PASSWORD_MIN } from "@/lib/validation/limits";
import { changePasswordAction, type ChangePasswordState } from "./actions";

export function ChangePasswordForm() {
  const [state, action] = useActionState<ChangePasswordState, FormData>(changePasswordAction, { status: "idle" });
  return (
    <form action={action} className="flex max-w-md flex-col gap-4" noValidate>
      {state.status === "saved" && <Alert tone="info" data-testid="password-saved">{state.message}</Alert>}
      {state.status === "error" && <Alert data-testid="password-error">{state.message}</Alert>}
      <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" error={state.fieldErrors?.currentPassword} />
      <Field
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        minLength={PASSWORD_MIN}
        error={state.fieldErrors?.newPassword}
      />
      <Field label="Repeat the new password" name="confirmPassword" type="password" autoComplete="new-password" error={state.fieldErrors?.confirmPassword} />
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="signOutOtherSessions" defaultChecked className="size-4 rounded border-slate-300" data-testid="sign-out-other-sessions" />
        Sign out my other sessions (other browsers and devices)
      </label>
      <div>
        <SubmitButton pendingLabel="Saving…">Change password</SubmitButton>
      </div>
    </form>
  );
}
