"use client";

import Link from "next/link";
import { useActionState, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { secondFactorAction, type SecondFactorState } from "./actions";

/** One field for both: the app's 6-digit code, or (after "Use a recovery code") a recovery code. */
export function SecondFactorForm() {
  const [state, action] = useActionState<SecondFactorState, FormData>(secondFactorAction, {});
  const [recovery, setRecovery] = useState(false);
  return (
    <form action={action} className="flex flex-col gap-4" noValidate>
      {state.error && (
        <Alert data-testid="second-factor-error">
          {state.error}
          {state.expired && (
            <>
              {" "}
              <Link href="/sign-in" className="font-medium underline">
                Sign in again
              </Link>
            </>
          )}
        </Alert>
      )}
      <Field
        key={recovery ? "recovery" : "totp"}
        label={recovery ? "Recovery code" : "Authentication code"}
        name="code"
        autoComplete="one-time-code"
        inputMode={recovery ? "text" : "numeric"}
        autoFocus
        required
        maxLength={64}
        placeholder={recovery ? "xxxx-xxxx-xxxx" : "123456"}
        hint={recovery ? "Each recovery code works once." : "The 6-digit code your authenticator app shows for Botdesk."}
      />
      <SubmitButton pendingLabel="Checking…" className="w-full">
        Verify
      </SubmitButton>
      <button type="button" className="text-sm font-medium text-indigo-700 hover:underline" onClick={() => setRecovery(!recovery)}>
        {recovery ? "Use the code from your app" : "Use a recovery code"}
      </button>
    </form>
  );
}
