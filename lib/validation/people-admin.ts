import { z } from "zod";

export const ROLES = ["owner", "admin", "member"] as const;

export const personNameSchema = z
  .string()
  .trim()
  .min(1, "Enter a name")
  .refine((s) => new TextEncoder().encode(s).length <= 255, "Use at most 255 bytes");

export const emailSchema = z.string().trim().toLowerCase().max(320, "That email is too long").pipe(z.email("Enter a valid email"));

export const addPersonSchema = z.object({
  email: emailSchema,
  name: personNameSchema,
  role: z.enum(ROLES, { error: "Choose a role" }),
});
export type AddPersonInput = z.infer<typeof addPersonSchema>;

export const personIdSchema = z.object({ personId: z.string().min(1).max(64) });

export const changeRoleSchema = personIdSchema.extend({ role: z.enum(ROLES, { error: "Choose a role" }) });
export type ChangeRoleInput = z.infer<typeof changeRoleSchema>;
