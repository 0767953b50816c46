import { z } from "zod";
import { hasControlCharacters } from "./text";

/** The password sign-in form, checked by the form's action and again by Auth.js's Credentials provider. */
export const signInFormSchema = z.object({
  // A NUL byte cannot even reach PostgreSQL's query: refused here, not reported as "database unavailable".
  login: z.string().trim().min(1, "Enter your email").max(320, "That email is too long").refine((s) => !hasControlCharacters(s), "That is not an email address"),
  password: z.string().min(1, "Enter your password").max(1024, "That password is too long"),
});
