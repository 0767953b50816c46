import { z } from "zod";
import { idSchema, pageSizeSchema } from "./common";
import { descriptionSchema, metadataSchema } from "./credentials";
import { DOMAIN_INPUT_MAX_LENGTH, parseDomainName } from "./domain-name";

/** A domain to reserve, parsed and normalised (domain-name.ts), or the one reason it is not a domain. */
export const domainNameSchema = z
  .string({ error: "Enter a domain, such as app.example.com or *.example.com" })
  .max(DOMAIN_INPUT_MAX_LENGTH, `A domain is at most 253 characters`)
  .transform((raw, ctx) => {
    const parsed = parseDomainName(raw);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: parsed.message });
      return z.NEVER;
    }
    return parsed.name;
  });

/**
 * ngrok's region codes, accepted and echoed for compatibility with its clients
 * (ngrok's domains are global now, and so are Botdesk's: every instance serves
 * every domain). Empty or null means none.
 */
export const NGROK_REGIONS = ["us", "eu", "ap", "au", "sa", "jp", "in", "us-cal-1", "global"] as const;
export const regionSchema = z
  .union([z.literal(""), z.enum(NGROK_REGIONS, { error: `Use one of ngrok's regions (${NGROK_REGIONS.join(", ")}), or leave it out` })])
  .nullable()
  .transform((r) => r || null);

export const reserveDomainSchema = z.object({
  domain: domainNameSchema,
  description: descriptionSchema,
  metadata: metadataSchema,
  region: regionSchema.optional(),
});
export type ReserveDomainInput = z.input<typeof reserveDomainSchema>;

/** A reservation's description and metadata; absent fields stay as they are. The name never changes. */
export const updateReservedDomainSchema = z.object({
  id: idSchema,
  description: descriptionSchema.optional(),
  metadata: metadataSchema.optional(),
});

export const reservedDomainIdSchema = z.object({ id: idSchema });

/** The Settings page's table state from the URL (bad values fall back to the first page of 25). */
export const listDomainsQuerySchema = z.object({
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
  size: pageSizeSchema,
});
