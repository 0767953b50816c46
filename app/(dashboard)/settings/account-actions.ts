"use server";

import { revalidatePath } from "next/cache";
import { formFields } from "@/lib/server/form-fields";
import { performAction } from "@/lib/server/perform-action";
import { updateAccount } from "@/lib/domain/accounts/update-account";

export interface AccountSettingsState {
  status: "idle" | "saved" | "error";
  message?: string;
  fieldErrors?: Record<string, string>;
  /** What was typed, so refused values stay in the fields (React resets uncontrolled fields). */
  values?: Record<string, string>;
}

const FIELDS = ["name", "seatLimit", "sessions", "endpoints", "bandwidthGb", "apiRequests"] as const;

export async function updateAccountAction(_prev: AccountSettingsState, formData: FormData): Promise<AccountSettingsState> {
  const field = formFields(formData);
  const values = Object.fromEntries(FIELDS.map((f) => [f, field(f)]));
  const input = {
    name: values.name,
    seatLimit: values.seatLimit,
    quotas: { sessions: values.sessions, endpoints: values.endpoints, bandwidthGb: values.bandwidthGb, apiRequests: values.apiRequests },
  };
  const result = await performAction("updateAccount", (actor, ctx) => updateAccount(actor, input, ctx), () => revalidatePath("/", "layout"));
  if (result.ok) return { status: "saved", message: "Account settings saved." };
  const fieldErrors = result.fieldErrors
    ? Object.fromEntries(Object.entries(result.fieldErrors).map(([k, v]) => [k.replace(/^quotas\./, ""), v]))
    : undefined;
  return { status: "error", message: result.message, fieldErrors, values };
}
