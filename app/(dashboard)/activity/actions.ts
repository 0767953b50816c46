"use server";

import { revalidatePath } from "next/cache";
import { formFields } from "@/lib/server/form-fields";
import { performAction } from "@/lib/server/perform-action";
import { setEventRetention } from "@/lib/domain/events/set-event-retention";

export interface RetentionState {
  status: "idle" | "saved" | "error";
  message?: string;
  fieldErrors?: Record<string, string>;
  /** What was typed, so a refused value stays in the field (React resets uncontrolled fields). */
  days?: string;
}

export async function setEventRetentionAction(_prev: RetentionState, formData: FormData): Promise<RetentionState> {
  const days = formFields(formData)("days");
  const result = await performAction("setEventRetention", (actor, ctx) => setEventRetention(actor, { days }, ctx), () => {
    // The form is on /activity and under Settings → Account.
    revalidatePath("/activity");
    revalidatePath("/settings");
  });
  if (result.ok) return { status: "saved", message: `Events are now kept for ${result.data.days} days.`, days: String(result.data.days) };
  return { status: "error", message: result.message, fieldErrors: result.fieldErrors, days };
}
