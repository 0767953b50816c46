"use server";

import { headers } from "next/headers";
import { requireActor } from "@/lib/auth/actor";
import { requestContextFrom } from "@/lib/auth/request-context";
import { changePassword } from "@/lib/domain/people/change-password";

export interface ChangePasswordState {
  status: "idle" | "saved" | "error";
  message?: string;
  fieldErrors?: Record<string, string>;
}

export async function changePasswordAction(_prev: ChangePasswordState, formData: FormData): Promise<ChangePasswordState> {
  const actor = await requireActor();
  const result = await changePassword(
    actor,
    {
      currentPassword: formData.get("currentPassword") ?? "",
      newPassword: formData.get("newPassword") ?? "",
      confirmPassword: formData.get("confirmPassword") ?? "",
    },
    requestContextFrom(await headers()),
  );
  if (result.ok) return { status: "saved", message: "Your password was changed." };
  return { status: "error", message: result.message, fieldErrors: result.fieldErrors };
}
