import { z } from "zod";
import { METADATA_MAX_BYTES } from "./limits";
import { hasControlCharacters, singleLineProblem } from "./text";

const bytes = (s: string) => new TextEncoder().encode(s).length;
const DOMAIN_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const LABEL_PART = /^[A-Za-z0-9_.-]{1,128}$/;
export const ENDPOINT_LABELS_MAX = 16;
export const ENDPOINT_SCHEMES = ["http", "https", "tcp", "tls"] as const;

/** A short single-line field an agent reports about itself (version, os, arch). */
const agentField = (max: number) =>
  z
    .string()
    .trim()
    .min(1, "Required")
    .max(max, `Use at most ${max} characters`)
    .superRefine((s, ctx) => {
      const problem = singleLineProblem(s);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });

/** The longest hostname, client id and user agent a session keeps (the columns' sizes: tunnel_sessions). */
export const SESSION_HOSTNAME_MAX = 255;
export const SESSION_CLIENT_ID_MAX = 128;
export const SESSION_USER_AGENT_MAX = 512;

/** An optional single-line field an agent reports about itself: absent or blank is null. */
const optionalAgentField = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `Use at most ${max} characters`)
    .superRefine((s, ctx) => {
      const problem = singleLineProblem(s);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .transform((s) => s || null)
    .default(null);

/** What an agent says about itself when it starts a session (the agent listener reads it from ngrok's Auth message; the SSH server from the client). */
export const startSessionSchema = z.strictObject({
  agent_version: agentField(64),
  os: agentField(32),
  arch: agentField(32),
  /** The agent host's name, the client id it had (a reconnecting agent's previous session), its user agent. */
  hostname: optionalAgentField(SESSION_HOSTNAME_MAX),
  client_id: optionalAgentField(SESSION_CLIENT_ID_MAX),
  user_agent: optionalAgentField(SESSION_USER_AGENT_MAX),
  metadata: z
    .string()
    .refine((s) => bytes(s) <= METADATA_MAX_BYTES, `Use at most ${METADATA_MAX_BYTES} bytes`)
    .refine((s) => !hasControlCharacters(s, { multiLine: true }), "Remove control characters")
    .default(""),
  transport: z.literal("ngrok/v2", { error: 'Only "ngrok/v2" is started here (SSH sessions come from the SSH server)' }).default("ngrok/v2"),
});
export type StartSessionInput = z.output<typeof startSessionSchema>;

function hostnameProblem(hostname: string): string | null {
  if (hostname.length > 253) return "the hostname is longer than 253 characters";
  const labels = hostname.split(".");
  if (labels.length < 2) return "a hostname needs at least two labels, like app.example.com";
  if (!labels.every((l) => DOMAIN_LABEL.test(l))) return "each part of the hostname must be letters, digits or inner hyphens";
  return null;
}

/** The URL's scheme, hostname and port, or why it is not an endpoint URL. */
function parseEndpointUrl(raw: string): { url: string; hostname: string } | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not a URL, such as https://app.example.com or tcp://example.com:9000";
  }
  const scheme = url.protocol.replace(/:$/, "");
  if (!(ENDPOINT_SCHEMES as readonly string[]).includes(scheme)) return `the scheme must be one of ${ENDPOINT_SCHEMES.join(", ")}`;
  if (url.username || url.password || (url.pathname !== "" && url.pathname !== "/") || url.search || url.hash) {
    return "an endpoint URL is a scheme, a hostname and an optional port only";
  }
  const hostname = url.hostname.toLowerCase().replace(/\.$/, "");
  const problem = hostnameProblem(hostname);
  if (problem) return problem;
  return { url: `${scheme}://${hostname}${url.port ? `:${url.port}` : ""}`, hostname };
}

/**
 * A labeled endpoint's labels `{key: value}`: at most ENDPOINT_LABELS_MAX,
 * keys and values 1–128 of `[A-Za-z0-9_.-]` (so at most about 4 KiB in all).
 * The one rule for labels, for every way a bind arrives.
 */
export const endpointLabelsSchema = z
  .record(z.string(), z.string())
  .refine((l) => Object.keys(l).length <= ENDPOINT_LABELS_MAX, `Use at most ${ENDPOINT_LABELS_MAX} labels`)
  .refine((l) => Object.entries(l).every(([k, v]) => LABEL_PART.test(k) && LABEL_PART.test(v)), "Label keys and values are 1–128 letters, digits, '_', '.' or '-'");

/**
 * An endpoint a session binds (startSession's session, bindEndpoint): a URL
 * (`https://app.example.com`), or a bare hostname (bound as https), and/or
 * labels; at least one of them.
 */
export const bindEndpointSchema = z
  .strictObject({
    url: z.string().max(300).optional(),
    hostname: z.string().max(253).optional(),
    labels: endpointLabelsSchema.default({}),
  })
  .transform((input, ctx) => {
    if (input.url !== undefined && input.hostname !== undefined) {
      ctx.addIssue({ code: "custom", path: ["hostname"], message: "Send url or hostname, not both" });
      return z.NEVER;
    }
    let target: { url: string | null; hostname: string | null } = { url: null, hostname: null };
    if (input.url !== undefined) {
      const parsed = parseEndpointUrl(input.url.trim());
      if (typeof parsed === "string") {
        ctx.addIssue({ code: "custom", path: ["url"], message: parsed });
        return z.NEVER;
      }
      target = parsed;
    } else if (input.hostname !== undefined) {
      const hostname = input.hostname.trim().toLowerCase().replace(/\.$/, "");
      const problem = hostnameProblem(hostname);
      if (problem) {
        ctx.addIssue({ code: "custom", path: ["hostname"], message: problem });
        return z.NEVER;
      }
      target = { url: `https://${hostname}`, hostname };
    }
    if (target.hostname === null && Object.keys(input.labels).length === 0) {
      ctx.addIssue({ code: "custom", path: ["url"], message: "Send a url, a hostname or labels" });
      return z.NEVER;
    }
    return { ...target, labels: input.labels };
  });
export type BindEndpointInput = z.output<typeof bindEndpointSchema>;
