"use client";

import { useActionState } from "react";
import { SubmitButton } from "@/components/ui/button";
import { Alert } from "@/components/ui/alert";
import { Field } from "@/components/ui/field";
import { signInAction, type SignInState } from "./actions";

export function SignInForm({ initialError }: { initialError: string | null }) {
  const [state, action] = useActionState<SignInState, FormData>(signInAction, {
    values: { login: "" },
    error: initialError ?? undefined,
  });
  return (
    <form action={action} className="flex flex-col gap-4" noValidate>
      {state.error && <Alert data-testid="sign-in-error">{state.error}</Alert>}
      <Field
        label="Email"
        name="login"
        type="email"
        autoComplete="username"
        required
        autoFocus
        defaultValue={state.values.login}
        error={state.fieldErrors?.login}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={state.fieldErrors?.password}
      />
      <SubmitButton pendingLabel="Signing in…" className="w-full">
        Sign in
      </SubmitButton>
    </form>
  );
}
