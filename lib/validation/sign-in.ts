import { z } from "zod";
import { hasControlCharacters } from "./text";

export const SIGN_IN_EMAIL_MESSAGE = "Enter a valid email";

/**
 * What identifies a person at sign-in: an email address, nothing else. A bot's
 * name or id, or a mistyped email (`admin @example.com`), is refused as such
 * before anything is looked up, so it can never match a bot of some account and
 * get the person told "Bot users cannot sign in" (or their IP recorded there).
 */
export const signInEmailSchema = z
  .string()
  .trim()
  .min(1, "Enter your email")
  .max(320, "That email is too long")
  // A NUL byte cannot even reach PostgreSQL's query: refused here, not reported as "database unavailable".
  .refine((s) => !hasControlCharacters(s), SIGN_IN_EMAIL_MESSAGE)
  .pipe(z.email(SIGN_IN_EMAIL_MESSAGE));

/** Whether a typed sign-in identifier is an email address (signInEmailSchema). */
export function isSignInEmail(login: string): boolean {
  return signInEmailSchema.safeParse(login).success;
}

/** The password sign-in form, checked by the form's action and again by Auth.js's Credentials provider. */
export const signInFormSchema = z.object({
  login: signInEmailSchema,
  password: z.string().min(1, "Enter your password").max(1024, "That password is too long"),
});
