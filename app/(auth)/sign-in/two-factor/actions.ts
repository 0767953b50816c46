"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { signIn } from "@/lib/auth/config";
import { messageForRefusalCode } from "@/lib/auth/refusal-code";
import { REFUSAL_MESSAGES } from "@/lib/domain/access/refusals";
import { formFields } from "@/lib/server/form-fields";
import { twoFactorCodeSchema } from "@/lib/validation/two-factor";

export interface SecondFactorState {
  error?: string;
  /** The pending sign-in is gone (expired, used, or voided): sign in again. */
  expired?: boolean;
}

/**
 * The sign-in's second step: the code (TOTP or recovery) completes the pending
 * sign-in named by the httpOnly cookie the password step set. All the checking
 * is signInWithSecondFactor's, through Auth.js's Credentials provider.
 */
export async function secondFactorAction(_prev: SecondFactorState, formData: FormData): Promise<SecondFactorState> {
  const parsed = twoFactorCodeSchema.safeParse({ code: formFields(formData)("code") });
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? REFUSAL_MESSAGES.wrong_code };
  try {
    await signIn("credentials", { code: parsed.data.code, redirectTo: "/" });
  } catch (error) {
    // Success is a thrown redirect: let it through, like every non-Auth.js error.
    if (!(error instanceof AuthError)) throw error;
    const code = error instanceof CredentialsSignin ? error.code : null;
    return { error: messageForRefusalCode(code) ?? REFUSAL_MESSAGES.wrong_code, expired: code === "sign_in_expired" };
  }
  return {};
}
