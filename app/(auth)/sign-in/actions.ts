"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { externalProviders, signIn } from "@/lib/auth/config";
import { messageForRefusalCode } from "@/lib/auth/refusal-code";
import { REFUSAL_MESSAGES } from "@/lib/domain/access/refusals";
import { formFields } from "@/lib/server/form-fields";
import { signInFormSchema } from "@/lib/validation/sign-in";

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
