import { z } from "zod";
import { filterTextSchema, idSchema, pageSizeSchema } from "./common";
import { checkName } from "./text";

export const ROLES = ["owner", "admin", "member"] as const;

/** A person's display name: the same normalisation and character rules as a bot's (an email-like name is fine here). */
export const personNameSchema = z.string({ error: "Enter a name" }).transform((raw, ctx) => {
  const checked = checkName(raw, { maxBytes: 255, emptyMessage: "Enter a name" });
  if (checked.ok) return checked.name;
  ctx.addIssue({ code: "custom", message: checked.message });
  return z.NEVER;
});

export const emailSchema = z.string().trim().toLowerCase().max(320, "That email is too long").pipe(z.email("Enter a valid email"));

export const addPersonSchema = z.object({
  email: emailSchema,
  name: personNameSchema,
  role: z.enum(ROLES, { error: "Choose a role" }),
});

export const personIdSchema = z.object({ personId: idSchema });

export const changeRoleSchema = personIdSchema.extend({ role: z.enum(ROLES, { error: "Choose a role" }) });

/** The people table's URL state (`?pq=&pstatus=&psort=&pdir=&ppage=&psize=`). */
export const listPeopleQuerySchema = z.object({
  q: filterTextSchema(320),
  status: z.enum(["all", "active", "deactivated"]).catch("all").default("all"),
  sort: z.enum(["name", "email", "role", "status", "lastSignIn"]).catch("name").default("name"),
  dir: z.enum(["asc", "desc"]).catch("asc").default("asc"),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
  size: pageSizeSchema.default(25),
});
export type ListPeopleQuery = z.infer<typeof listPeopleQuerySchema>;
