"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { requireActorChoosingPassword } from "@/lib/auth/actor";
import { reissueSession } from "@/lib/auth/session-cookie";
import { chooseNewPassword } from "@/lib/domain/people/choose-new-password";
import { formFields } from "@/lib/server/form-fields";
import { requestContextFrom } from "@/lib/server/request-context";

export interface ChoosePasswordState {
  message?: string;
  fieldErrors?: Record<string, string>;
}

/** The only action a person whose password was reset may run (besides signing out). */
export async function choosePasswordAction(_prev: ChoosePasswordState, formData: FormData): Promise<ChoosePasswordState> {
  const actor = await requireActorChoosingPassword();
  const field = formFields(formData);
  const result = await chooseNewPassword(
    actor,
    { newPassword: field("newPassword"), confirmPassword: field("confirmPassword") },
    requestContextFrom(await headers()),
  );
  if (!result.ok) {
    if (result.code === "not_required") redirect("/");
    return { message: result.message, fieldErrors: result.fieldErrors };
  }
  // Every session ended with the change, this one included: keep this one signed in.
  await reissueSession(result.data.sessionVersion);
  redirect("/");
}
