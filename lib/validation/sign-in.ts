import { z } from "zod";

/** The password sign-in form, checked by the form's action and again by Auth.js's Credentials provider. */
export const signInFormSchema = z.object({
  login: z.string().trim().min(1, "Enter your email").max(320, "That email is too long"),
  password: z.string().min(1, "Enter your password").max(1024, "That password is too long"),
});
