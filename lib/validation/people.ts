import { z } from "zod";
import { PASSWORD_MAX, PASSWORD_MIN } from "./limits";
import { CONTROL_CHARACTER_MESSAGE, hasControlCharacters } from "./text";

/** A password a person chooses (sign-up, a change): the one rule for every such form. */
export const newPasswordSchema = z
  .string()
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters`)
  .refine((s) => !hasControlCharacters(s), CONTROL_CHARACTER_MESSAGE);

export const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password").max(1024),
    newPassword: newPasswordSchema,
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { path: ["confirmPassword"], message: "The two new passwords differ" })
  .refine((v) => v.newPassword !== v.currentPassword, { path: ["newPassword"], message: "Choose a password you haven't used here" });


/** The new password a person chooses after an admin reset theirs (no current password: they just signed in with the one-time one). */
export const chooseNewPasswordSchema = z
  .object({ newPassword: newPasswordSchema, confirmPassword: z.string() })
  .refine((v) => v.newPassword === v.confirmPassword, { path: ["confirmPassword"], message: "The two new passwords differ" });
