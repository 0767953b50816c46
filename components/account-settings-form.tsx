"use client";

import { useActionState, useEffect } from "react";
import { useRouter } from "next/navigation";
import { Alert } from "@/components/ui/alert";
import { SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

type State = { status: "idle" | "saved" | "error"; message?: string; fieldErrors?: Record<string, string>; values?: Record<string, string> };

export interface AccountFormValues {
  name: string;
  seatLimit: number;
  sessions: number;
  endpoints: number;
  bandwidthGb: number;
  apiRequests: number;
}

/** The owner's form for the account's name, seat limit and monthly quotas. */
export function AccountSettingsForm({
  current,
  seatsUsed,
  action,
}: {
  current: AccountFormValues;
  seatsUsed: number;
  action: (prev: State, formData: FormData) => Promise<State>;
}) {
  const [state, formAction] = useActionState<State, FormData>(action, { status: "idle" });
  const router = useRouter();
  // The action's own render reuses the request's actor (read before the change): a fresh
  // request shows the new name in the header and the banner's new state.
  useEffect(() => {
    if (state.status === "saved") router.refresh();
  }, [state, router]);
  const value = (k: keyof AccountFormValues) => state.values?.[k] ?? String(current[k]);
  const key = state.status === "error" ? JSON.stringify(state.values) : JSON.stringify(current);
  const err = state.fieldErrors ?? {};
  return (
    <form action={formAction} className="flex flex-col gap-4" noValidate data-testid="account-settings-form" key={key}>
      {state.status === "saved" && <Alert tone="info">{state.message}</Alert>}
      {state.status === "error" && <Alert>{state.message}</Alert>}
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label="Account name" name="name" defaultValue={value("name")} error={err.name} maxLength={255} required />
        <Field
          label="Seat limit"
          name="seatLimit"
          type="number"
          inputMode="numeric"
          min={Math.max(1, seatsUsed)}
          defaultValue={value("seatLimit")}
          error={err.seatLimit}
          hint={`${seatsUsed} in use: the limit can't go below that. Bots never use a seat.`}
        />
      </div>
      <fieldset className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <legend className="mb-2 text-sm font-semibold">Monthly quotas</legend>
        <Field label="Agent sessions" name="sessions" type="number" inputMode="numeric" min={0} defaultValue={value("sessions")} error={err.sessions} />
        <Field label="Endpoints" name="endpoints" type="number" inputMode="numeric" min={0} defaultValue={value("endpoints")} error={err.endpoints} />
        <Field
          label="Bandwidth (GB, in + out)"
          name="bandwidthGb"
          type="number"
          inputMode="numeric"
          min={0}
          defaultValue={value("bandwidthGb")}
          error={err.bandwidthGb}
        />
        <Field label="API requests" name="apiRequests" type="number" inputMode="numeric" min={0} defaultValue={value("apiRequests")} error={err.apiRequests} />
      </fieldset>
      <div>
        <SubmitButton pendingLabel="Saving…">Save account settings</SubmitButton>
      </div>
    </form>
  );
}
