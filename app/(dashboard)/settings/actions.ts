"use server";

import { headers } from "next/headers";
import { requireActor } from "@/lib/auth/actor";
import { formFields } from "@/lib/server/form-fields";
import { requestContextFrom } from "@/lib/server/request-context";
import { reissueSession } from "@/lib/auth/session-cookie";
import { changePassword } from "@/lib/domain/people/change-password";

export interface ChangePasswordState {
  status: "idle" | "saved" | "error";
  message?: string;
  fieldErrors?: Record<string, string>;
}

export async function changePasswordAction(_prev: ChangePasswordState, formData: FormData): Promise<ChangePasswordState> {
  const actor = await requireActor();
  const field = formFields(formData);
  const result = await changePassword(
    actor,
    {
      currentPassword: field("currentPassword"),
      newPassword: field("newPassword"),
      confirmPassword: field("confirmPassword"),
      signOutOtherSessions: field("signOutOtherSessions") === "on",
    },
    requestContextFrom(await headers()),
  );
  if (result.ok) {
    // Every session ended with the change, this one included: keep this one signed in.
    if (result.data.sessionVersion !== null) await reissueSession(result.data.sessionVersion);
    return {
      status: "saved",
      message: result.data.sessionsEnded ? "Your password was changed. Your other sessions were signed out." : "Your password was changed.",
    };
  }
  return { status: "error", message: result.message, fieldErrors: result.fieldErrors };
}
