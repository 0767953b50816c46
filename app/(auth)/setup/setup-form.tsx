"use client";

import Link from "next/link";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button-styles";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Name } from "@/components/name";
import { PASSWORD_MIN } from "@/lib/validation/limits";
import { setupAction, type SetupState } from "./actions";

export function SetupForm({ token }: { token: string }) {
  const [state, action] = useActionState<SetupState, FormData>(setupAction, { values: { accountName: "", name: "", email: "" } });
  if (state.created) {
    return (
      <div className="flex flex-col gap-4" data-testid="setup-done">
        <Alert tone="info">
          The account <Name name={state.created.accountName} /> is ready, with you as its owner. Sign in as {state.created.email} with the
          password you chose.
        </Alert>
        <Link href="/sign-in" className={buttonClass("primary", "w-full")}>
          Sign in
        </Link>
      </div>
    );
  }
  const fieldErrors = state.fieldErrors ?? {};
  // A link that stopped working meanwhile (used by someone else, replaced, expired): the form is of no use any more.
  const linkGone = state.status === "error" && state.code !== "invalid_input" && state.code !== "internal";
  return (
    <form action={action} className="flex flex-col gap-4" noValidate>
      {state.status === "error" && state.code !== "invalid_input" && <Alert data-testid="setup-error">{state.message}</Alert>}
      {linkGone ? (
        <Link href="/sign-in" className={buttonClass("secondary", "w-full")}>
          Go to sign-in
        </Link>
      ) : (
        <>
          <input type="hidden" name="token" value={token} />
          <Field label="Account name" name="accountName" autoComplete="organization" autoFocus required defaultValue={state.values.accountName} error={fieldErrors.accountName} hint="Your team or company; you can change it later." />
          <Field label="Your name" name="name" autoComplete="name" required defaultValue={state.values.name} error={fieldErrors.name} />
          <Field label="Email" name="email" type="email" autoComplete="username" required defaultValue={state.values.email} error={fieldErrors.email} hint="You sign in with it." />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={PASSWORD_MIN}
            hint={`At least ${PASSWORD_MIN} characters.`}
            error={fieldErrors.password}
          />
          <Field label="Repeat the password" name="confirmPassword" type="password" autoComplete="new-password" required error={fieldErrors.confirmPassword} />
          <SubmitButton pendingLabel="Creating the account…" className="w-full">
            Create the account
          </SubmitButton>
        </>
      )}
    </form>
  );
}
