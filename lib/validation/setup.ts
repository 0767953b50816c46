import { z } from "zod";
import { accountNameSchema } from "./account";
import { newPasswordSchema } from "./people";
import { emailSchema, personNameSchema } from "./people-admin";

/** The setup page's form: the first account and its owner (the token is checked on its own, first). */
export const createFirstAccountSchema = z
  .object({
    accountName: accountNameSchema,
    name: personNameSchema,
    email: emailSchema,
    password: newPasswordSchema,
    confirmPassword: z.string({ error: "Repeat the password" }),
  })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], message: "The two passwords differ" });
export type CreateFirstAccountInput = z.infer<typeof createFirstAccountSchema>;
