import { z } from "zod";
import { isStreamType } from "@/lib/domain/event-streams/stream-types";
import { idSchema } from "./common";
import { descriptionSchema, metadataSchema } from "./credentials";
import { hasControlCharacters } from "./text";

/** Datadog's sites, as its docs name them (the intake is https://http-intake.logs.<site>). */
export const DATADOG_SITES = ["datadoghq.com", "us3.datadoghq.com", "us5.datadoghq.com", "datadoghq.eu", "ap1.datadoghq.com", "ap2.datadoghq.com", "ddog-gov.com"] as const;

/** ngrok's targets Botdesk cannot send to: refused by name. */
export const UNSUPPORTED_TARGETS = ["kinesis", "firehose", "cloudwatch_logs", "s3", "azure_logs_ingestion"] as const;

export const WEBHOOK_URL_MAX_LENGTH = 2048;

const line = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Use at most ${max} characters`)
    .refine((s) => !hasControlCharacters(s), "Remove control characters");

/** A webhook's URL: http(s), no user or password in it; where it may point is checked by resolving it (safe-address.ts). */
export const webhookUrlSchema = z
  .string({ error: "Enter the webhook's URL" })
  .trim()
  .min(1, "Enter the webhook's URL")
  .max(WEBHOOK_URL_MAX_LENGTH, `A URL is at most ${WEBHOOK_URL_MAX_LENGTH} characters`)
  .transform((raw, ctx) => {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      ctx.addIssue({ code: "custom", message: "Enter a URL such as https://siem.example.com/botdesk" });
      return z.NEVER;
    }
    if (url.protocol !== "https:" && url.protocol !== "http:") ctx.addIssue({ code: "custom", message: "Use an https:// URL" });
    else if (url.username || url.password) ctx.addIssue({ code: "custom", message: "Leave the user and password out of the URL" });
    else if (hasControlCharacters(raw)) ctx.addIssue({ code: "custom", message: "Remove control characters" });
    url.hash = "";
    return url.toString();
  });

const webhookTarget = z.object({ url: webhookUrlSchema }).strict();
const datadogFields = {
  ddsite: z.enum(DATADOG_SITES, { error: `Use one of Datadog's sites (${DATADOG_SITES.join(", ")})` }).default("datadoghq.com"),
  ddtags: line(1024).default(""),
  service: line(100).default(""),
};
const datadogCreate = z.object({ api_key: line(256).pipe(z.string().min(1, "Enter the Datadog API key")), ...datadogFields }).strict();
const datadogUpdate = z.object({ api_key: line(256).optional(), ...datadogFields }).strict();

/** ngrok's `target`: exactly one of webhook or datadog (nulls are "not this one", as ngrok's clients send them). */
function targetSchema<D extends z.ZodType>(datadog: D) {
  return z
    .record(z.string(), z.unknown(), { error: "Give the target: {webhook: {url}} or {datadog: {api_key, ddsite, ddtags, service}}" })
    .transform((raw, ctx) => {
      const given = Object.entries(raw).filter(([, v]) => v !== null && v !== undefined);
      const unsupported = given.find(([k]) => (UNSUPPORTED_TARGETS as readonly string[]).includes(k));
      if (unsupported) {
        ctx.addIssue({ code: "custom", path: [unsupported[0]], message: `Botdesk sends events to webhooks and Datadog only: ${unsupported[0]} targets are not supported` });
        return z.NEVER;
      }
      if (given.length !== 1 || !["webhook", "datadog"].includes(given[0]![0])) {
        ctx.addIssue({ code: "custom", message: "Give exactly one target: webhook or datadog" });
        return z.NEVER;
      }
      const [kind, value] = given[0]!;
      const parsed = (kind === "webhook" ? webhookTarget : datadog).safeParse(value);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ code: "custom", path: [kind, ...issue.path.map(String)], message: `${[kind, ...issue.path.map(String)].join(".")}: ${issue.message}` });
        return z.NEVER;
      }
      return kind === "webhook"
        ? { kind: "webhook" as const, webhook: parsed.data as z.output<typeof webhookTarget> }
        : { kind: "datadog" as const, datadog: parsed.data as z.output<D> };
    });
}

/** ngrok's only format, in any case. */
const formatSchema = z
  .string()
  .trim()
  .toLowerCase()
  .refine((f) => f === "json", "The only format is JSON");

export const createDestinationSchema = z.object({
  description: descriptionSchema,
  metadata: metadataSchema,
  format: formatSchema.default("json"),
  target: targetSchema(datadogCreate),
});
export type CreateDestinationInput = z.input<typeof createDestinationSchema>;

/** Absent fields stay; a Datadog target without api_key keeps the key it has. */
export const updateDestinationSchema = z.object({
  id: idSchema,
  description: descriptionSchema.optional(),
  metadata: metadataSchema.optional(),
  format: formatSchema.optional(),
  target: targetSchema(datadogUpdate).optional(),
});

export const SUBSCRIPTION_MAX_SOURCES = 100;
export const SUBSCRIPTION_MAX_DESTINATIONS = 10;

const sourcesSchema = z
  .array(z.object({ type: z.string().max(100).refine(isStreamType, "Not an event type Botdesk sends (docs/event-streams.md lists them)") }), {
    error: "Give the sources as [{type}]",
  })
  .max(SUBSCRIPTION_MAX_SOURCES, `At most ${SUBSCRIPTION_MAX_SOURCES} sources`)
  .transform((sources) => [...new Set(sources.map((s) => s.type))]);
const destinationIdsSchema = z
  .array(idSchema, { error: "Give destination_ids as a list of ids" })
  .max(SUBSCRIPTION_MAX_DESTINATIONS, `At most ${SUBSCRIPTION_MAX_DESTINATIONS} destinations`)
  .transform((ids) => [...new Set(ids)]);

export const createSubscriptionSchema = z.object({
  description: descriptionSchema,
  metadata: metadataSchema,
  sources: sourcesSchema.default([]),
  destination_ids: destinationIdsSchema.default([]),
});
export type CreateSubscriptionInput = z.input<typeof createSubscriptionSchema>;

export const updateSubscriptionSchema = z.object({
  id: idSchema,
  description: descriptionSchema.optional(),
  metadata: metadataSchema.optional(),
  sources: sourcesSchema.optional(),
  destination_ids: destinationIdsSchema.optional(),
});

export const eventStreamIdSchema = z.object({ id: idSchema });

/** Send one message again, or every message of the destination since a time (at most 30 days back: the log's length). */
export const redeliverSchema = z
  .object({
    id: idSchema,
    eventId: idSchema.optional(),
    since: z.coerce.date({ error: "Enter a date and time" }).optional(),
  })
  .refine((r) => (r.eventId === undefined) !== (r.since === undefined), { message: "Choose one message, or a time to send everything since", path: ["since"] });
