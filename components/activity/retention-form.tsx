"use client";

import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

type State = { status: "idle" | "saved" | "error"; message?: string; fieldErrors?: Record<string, string>; days?: string };

/** The owner's form for how long the account keeps its events. */
export function RetentionForm({ days, action }: { days: number; action: (prev: State, formData: FormData) => Promise<State> }) {
  const [state, formAction] = useActionState<State, FormData>(action, { status: "idle" });
  return (
    <form action={formAction} className="flex max-w-md flex-col gap-3" noValidate data-testid="retention-form">
      {state.status === "saved" && <Alert tone="info">{state.message}</Alert>}
      {state.status === "error" && !state.fieldErrors && <Alert>{state.message}</Alert>}
      <Field
        label="Keep events for (days)"
        name="days"
        type="number"
        inputMode="numeric"
        min={1}
        max={36500}
        defaultValue={state.days ?? String(days)}
        key={state.days ?? String(days)}
        error={state.fieldErrors?.days}
      />
      <div>
        <SubmitButton pendingLabel="Saving…" variant="secondary" size="sm">
          Save retention
        </SubmitButton>
      </div>
    </form>
  );
}
