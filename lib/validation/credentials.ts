import { z } from "zod";
import { filterTextSchema, idSchema } from "./common";
import { hasControlCharacters, MULTILINE_CONTROL_CHARACTER_MESSAGE, printable, singleLineProblem } from "./text";

import { ACL_MAX_RULES, DESCRIPTION_MAX_BYTES, METADATA_MAX_BYTES, PUBLIC_KEY_MAX_LENGTH } from "./limits";

export { ACL_MAX_RULES, DESCRIPTION_MAX_BYTES, METADATA_MAX_BYTES, PUBLIC_KEY_MAX_LENGTH };
export const EXPIRY_CHOICES = ["never", "30", "90", "365", "date"] as const;
export const GRACE_CHOICES = { "0": 0, "1h": 3600, "24h": 86_400, "7d": 604_800 } as const;

const bytes = (s: string) => new TextEncoder().encode(s).length;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
const LABEL_PART = /^[A-Za-z0-9_.-]{1,128}$/;

function domainProblem(domain: string): string | null {
  if (domain.length > 253) return "the domain is longer than 253 characters";
  const labels = domain.split(".");
  if (labels.length < 2) return "a domain needs at least two labels, like example.com";
  if (labels.some((l) => l.includes("*"))) return "a wildcard may only be the first label, as in *.example.com";
  if (!labels.every((l) => DOMAIN_LABEL.test(l))) return "each part of the domain must be letters, digits or inner hyphens";
  return null;
}

/**
 * Why one ACL rule is invalid, or null. Rules: `*` (no restriction), or `bind:`
 * followed by an exact domain, a leading-wildcard domain (`*.example.com`), or a
 * label `key=value` where the key or the value (not both) may be `*`.
 */
export function aclRuleProblem(rule: string): string | null {
  if (hasControlCharacters(rule)) return "it contains a control character";
  if (rule === "*") return null;
  if (!rule.startsWith("bind:")) return 'a rule is "*" or starts with "bind:"';
  const target = rule.slice("bind:".length);
  if (!target) return 'nothing follows "bind:"';
  if (target.includes("=")) {
    const [key = "", value = ""] = [target.slice(0, target.indexOf("=")), target.slice(target.indexOf("=") + 1)];
    if (key === "*" && value === "*") return 'a label rule may wildcard its key or its value, not both (use "*" for no restriction)';
    if (key !== "*" && !LABEL_PART.test(key)) return "a label key is letters, digits, '_', '.' or '-', or *";
    if (value !== "*" && !LABEL_PART.test(value)) return "a label value is letters, digits, '_', '.' or '-', or *";
    return null;
  }
  return domainProblem(target.startsWith("*.") ? target.slice(2) : target);
}

/** An ACL from a textarea (one rule per line) or a list; each bad rule is named in the error. */
export const aclSchema = z
  .union([z.string().max(64_000), z.array(z.string().max(1024)).max(ACL_MAX_RULES * 2)])
  .transform((v) => (typeof v === "string" ? v.split(/\r?\n|,/) : v).map((r) => r.trim()).filter(Boolean))
  .superRefine((rules, ctx) => {
    if (rules.length > ACL_MAX_RULES) ctx.addIssue({ code: "custom", message: `Use at most ${ACL_MAX_RULES} ACL rules` });
    rules.forEach((rule, i) => {
      const problem = aclRuleProblem(rule);
      if (problem) ctx.addIssue({ code: "custom", message: `ACL rule ${i + 1} ("${printable(rule.slice(0, 80))}") is not valid: ${problem}` });
    });
    if (rules.includes("*") && rules.length > 1) ctx.addIssue({ code: "custom", message: '"*" means no restriction: use it alone' });
  })
  // "*" and an empty list both mean "no restriction": store the empty list.
  .transform((rules) => (rules.length === 1 && rules[0] === "*" ? [] : [...new Set(rules)]));

/** One line: no control or direction characters (lists and events show it next to names). */
export const descriptionSchema = z
  .string()
  .trim()
  .superRefine((s, ctx) => {
    const problem = singleLineProblem(s);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .refine((s) => bytes(s) <= DESCRIPTION_MAX_BYTES, `Use at most ${DESCRIPTION_MAX_BYTES} bytes`)
  .default("");

/** Free text over several lines: tabs and line breaks, no other control characters. */
export const metadataSchema = z
  .string()
  .refine((s) => !hasControlCharacters(s, { multiLine: true }), MULTILINE_CONTROL_CHARACTER_MESSAGE)
  .refine((s) => bytes(s) <= METADATA_MAX_BYTES, `Use at most ${METADATA_MAX_BYTES} bytes`)
  .default("");

const expirySchema = z
  .object({
    expiry: z.enum(EXPIRY_CHOICES).default("never"),
    expiresOn: z.string().optional(),
  })
  .transform((v, ctx): Date | null => {
    if (v.expiry === "never") return null;
    if (v.expiry !== "date") return new Date(Date.now() + Number(v.expiry) * 86_400_000);
    const date = /^\d{4}-\d{2}-\d{2}$/.test(v.expiresOn ?? "") ? new Date(`${v.expiresOn}T23:59:59.999Z`) : null;
    if (!date || Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: "custom", path: ["expiresOn"], message: "Pick a date" });
      return z.NEVER;
    }
    if (date.getTime() <= Date.now()) {
      ctx.addIssue({ code: "custom", path: ["expiresOn"], message: "Pick a date in the future" });
      return z.NEVER;
    }
    return date;
  });

const common = {
  ownerId: z.union([z.literal(""), idSchema]).optional(),
  description: descriptionSchema,
  metadata: metadataSchema,
};

export const createCredentialSchema = z
  .discriminatedUnion("kind", [
    z.object({ kind: z.literal("authtoken"), ...common, acl: aclSchema.default([]) }),
    z.object({ kind: z.literal("api_key"), ...common }),
    z.object({
      kind: z.literal("ssh_key"),
      ...common,
      acl: aclSchema.default([]),
      publicKey: z
        .string()
        .trim()
        .min(1, "Paste a public key")
        .max(PUBLIC_KEY_MAX_LENGTH, "That key is too long")
        .refine((s) => !hasControlCharacters(s, { multiLine: true }), MULTILINE_CONTROL_CHARACTER_MESSAGE),
    }),
  ])
  .and(z.object({ expiry: z.enum(EXPIRY_CHOICES).default("never"), expiresOn: z.string().optional() }))
  .transform((v, ctx) => {
    const expiresAt = expirySchema.safeParse({ expiry: v.expiry, expiresOn: v.expiresOn });
    if (!expiresAt.success) {
      for (const issue of expiresAt.error.issues) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
      return z.NEVER;
    }
    return { ...v, expiresAt: expiresAt.data };
  });

export const credentialIdsSchema = z.object({
  ids: z.array(idSchema).min(1, "Select at least one credential").max(100, "Select at most 100 credentials at once").transform((ids) => [...new Set(ids)]),
});

export const rotateCredentialSchema = z.object({
  id: idSchema,
  grace: z.enum(Object.keys(GRACE_CHOICES) as [keyof typeof GRACE_CHOICES, ...(keyof typeof GRACE_CHOICES)[]]).default("24h"),
});

export const listCredentialsQuerySchema = z.object({
  owner: filterTextSchema(64),
  kind: z.enum(["all", "authtoken", "api_key", "ssh_key"]).catch("all").default("all"),
  status: z.enum(["all", "active", "expiring", "expired", "suspended"]).catch("all").default("all"),
  used: z.enum(["all", "never", "7d", "30d", "stale", "stale90"]).catch("all").default("all"),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
  size: z.coerce.number().int().refine((n) => [10, 25, 50, 100].includes(n)).catch(25).default(25),
});
export type ListCredentialsQuery = z.infer<typeof listCredentialsQuerySchema>;

/** PATCH of a credential: description, metadata and ACL only (never the owner); absent fields stay as they are. */
export const updateCredentialSchema = z.object({
  id: idSchema,
  description: descriptionSchema.optional(),
  metadata: metadataSchema.optional(),
  acl: aclSchema.optional(),
});
export type UpdateCredentialInput = z.infer<typeof updateCredentialSchema>;
