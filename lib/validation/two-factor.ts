import { z } from "zod";

/** A code typed to prove the second factor: 6 digits from the app, or a recovery code (checked by spendSecondFactor). */
export const twoFactorCodeSchema = z.object({
  code: z.string({ error: "Enter a code" }).trim().min(1, "Enter the 6-digit code from your app").max(64, "That is not a code"),
});

/** The owner's switch in Settings → Account. */
export const twoFactorRequirementSchema = z.object({ required: z.boolean({ error: "Choose on or off" }) });
