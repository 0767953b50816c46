"use server";

import { redirect } from "next/navigation";
import { AuthError, CredentialsSignin } from "next-auth";
import { externalProviders, signIn } from "@/lib/auth/config";
import { messageForRefusalCode } from "@/lib/auth/refusal-code";
import { REFUSAL_MESSAGES } from "@/lib/domain/access/refusals";
import { formFields } from "@/lib/server/form-fields";
import { signInFormSchema } from "@/lib/validation/sign-in";

/** The sign-in's second step, after a right password of a person with a second factor. */
const SECOND_FACTOR_PATH = "/sign-in/two-factor";

export interface SignInState {
  error?: string;
  fieldErrors?: { login?: string; password?: string };
  values: { login: string };
}

export async function signInAction(_prev: SignInState, formData: FormData): Promise<SignInState> {
  const field = formFields(formData);
  const login = field("login");
  const parsed = signInFormSchema.safeParse({ login, password: field("password") });
  if (!parsed.success) {
    const fields = parsed.error.flatten().fieldErrors;
    return { values: { login }, fieldErrors: { login: fields.login?.[0], password: fields.password?.[0] } };
  }
  try {
    await signIn("credentials", { ...parsed.data, redirectTo: "/" });
  } catch (error) {
    // Success is a thrown redirect: let it through, like every non-Auth.js error.
    if (!(error instanceof AuthError)) throw error;
    // The password was right and a second factor is asked: its page (the pending sign-in is in a cookie now).
    if (error instanceof CredentialsSignin && error.code === "second_factor") redirect(SECOND_FACTOR_PATH);
    const message =
      error instanceof CredentialsSignin ? messageForRefusalCode(error.code) : null;
    return { values: { login }, error: message ?? REFUSAL_MESSAGES.invalid };
  }
  return { values: { login } };
}

export async function signInWithProviderAction(formData: FormData): Promise<void> {
  const provider = formFields(formData)("provider");
  if (!externalProviders.some((p) => p.id === provider)) return;
  await signIn(provider, { redirectTo: "/" });
}
