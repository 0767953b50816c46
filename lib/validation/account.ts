import { z } from "zod";
import { ACCOUNT_NAME_MAX_BYTES, QUOTA_MAX, SEAT_LIMIT_MAX } from "./limits";
import { checkName } from "./text";

/**
 * A plan's monthly quotas. Whole numbers, 0 … QUOTA_MAX; bandwidth in GB
 * (10^9 bytes) of traffic in plus out. Stored in accounts.quotas (JSON).
 */
export const quotasSchema = z.object({
  /** Agent (tunnel) sessions started in the month. */
  sessions: z.coerce.number({ error: "Enter a number" }).int("Enter a whole number").min(0, "At least 0").max(QUOTA_MAX, "Too large"),
  /** Endpoints bound in the month (each successful bind counts once). */
  endpoints: z.coerce.number({ error: "Enter a number" }).int("Enter a whole number").min(0, "At least 0").max(QUOTA_MAX, "Too large"),
  /** Bandwidth in GB (in + out). */
  bandwidthGb: z.coerce.number({ error: "Enter a number" }).int("Enter a whole number of GB").min(0, "At least 0").max(QUOTA_MAX, "Too large"),
  /** REST API requests in the month. */
  apiRequests: z.coerce.number({ error: "Enter a number" }).int("Enter a whole number").min(0, "At least 0").max(QUOTA_MAX, "Too large"),
});
export type Quotas = z.infer<typeof quotasSchema>;

export const accountNameSchema = z.string({ error: "Enter a name" }).transform((raw, ctx) => {
  const checked = checkName(raw, { maxBytes: ACCOUNT_NAME_MAX_BYTES, emptyMessage: "Enter a name: it can't be empty" });
  if (checked.ok) return checked.name;
  ctx.addIssue({ code: "custom", message: checked.message });
  return z.NEVER;
});

/** An owner's change to the account: any of name, seat limit and quotas (absent fields stay). */
export const updateAccountSchema = z.object({
  name: accountNameSchema.optional(),
  seatLimit: z.coerce
    .number({ error: "Enter a number of seats" })
    .int("Enter a whole number of seats")
    .min(1, "At least 1 seat")
    .max(SEAT_LIMIT_MAX, `At most ${SEAT_LIMIT_MAX.toLocaleString("en")} seats`)
    .optional(),
  quotas: quotasSchema.optional(),
});
export type UpdateAccountInput = z.infer<typeof updateAccountSchema>;
