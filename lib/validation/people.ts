import { z } from "zod";
import { PASSWORD_MAX, PASSWORD_MIN } from "./limits";
import { CONTROL_CHARACTER_MESSAGE, hasControlCharacters } from "./text";

export const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password").max(1024),
    newPassword: z
      .string()
      .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters`)
      .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters`)
      .refine((s) => !hasControlCharacters(s), CONTROL_CHARACTER_MESSAGE),
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { path: ["confirmPassword"], message: "The two new passwords differ" })
  .refine((v) => v.newPassword !== v.currentPassword, { path: ["newPassword"], message: "Choose a password you haven't used here" });

