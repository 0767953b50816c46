import { z } from "zod";
import type { CredentialRefusalReason } from "@/lib/domain/credentials/verify-credential";
import type { ResultCode } from "@/lib/domain/result";
import { StreamType } from "@/lib/tunnels/muxado/typed";
import { endpointLabelsSchema, SESSION_CLIENT_ID_MAX, SESSION_HOSTNAME_MAX, SESSION_USER_AGENT_MAX } from "@/lib/validation/agent-sessions";
import { METADATA_MAX_BYTES } from "@/lib/validation/limits";

/**
 * The messages of ngrok's agent protocol that Botdesk reads (ngrok-rust
 * `ngrok/src/internals/proto.rs`, ngrok-go `internal/tunnel/proto/msg.go`),
 * validated with explicit limits. Fields Botdesk does not use pass unread; a
 * whole request is at most MAX_RPC_BYTES (lib/tunnels/muxado/rpc.ts).
 */

const text = (max: number) => z.string().max(max).default("");

/** Auth: ngrok-rust spells the token `AuthToken`, ngrok-go `Authtoken`. */
export const authSchema = z.object({
  Version: z.array(z.string().max(16)).max(8).default([]),
  ClientId: text(SESSION_CLIENT_ID_MAX),
  Extra: z
    .object({
      OS: text(64),
      Arch: text(64),
      AuthToken: z.string().max(512).optional(),
      Authtoken: z.string().max(512).optional(),
      Version: text(64),
      Hostname: text(SESSION_HOSTNAME_MAX),
      UserAgent: text(SESSION_USER_AGENT_MAX),
      Metadata: z.string().refine((s) => Buffer.byteLength(s) <= METADATA_MAX_BYTES, `the session metadata is over ${METADATA_MAX_BYTES} bytes`).default(""),
      ClientType: text(64),
      /** Nanoseconds, as Go's time.Duration. */
      HeartbeatInterval: z.number().default(0),
      HeartbeatTolerance: z.number().default(0),
    })
    .default({ OS: "", Arch: "", Version: "", Hostname: "", UserAgent: "", Metadata: "", ClientType: "", HeartbeatInterval: 0, HeartbeatTolerance: 0 }),
});
export type AuthMessage = z.output<typeof authSchema>;

/** Bind: `Opts` as each endpoint kind sends them (HTTP: Domain or Hostname, Subdomain; TCP: Addr). */
export const bindSchema = z.object({
  Id: text(128),
  Proto: z.string().max(16),
  ForwardsTo: text(512),
  Opts: z
    .object({
      Domain: text(253),
      Hostname: text(253),
      Subdomain: text(63),
      Addr: text(300),
    })
    .loose()
    .default({ Domain: "", Hostname: "", Subdomain: "", Addr: "" }),
  Extra: z.object({ Metadata: text(METADATA_MAX_BYTES) }).loose().default({ Metadata: "" }),
});
export type BindMessage = z.output<typeof bindSchema>;

/**
 * BindLabeled (ngrok-rust `StartTunnelWithLabel`): labels for an edge to route
 * to; the server names the tunnel (`{Id}` answers it). At least one label, and
 * the labels' rule of every bind (endpointLabelsSchema).
 */
export const bindLabeledSchema = z.object({
  Labels: endpointLabelsSchema.refine((l) => Object.keys(l).length > 0, "Send at least one label"),
  ForwardsTo: text(512),
  ForwardsProto: text(16),
  Metadata: text(METADATA_MAX_BYTES),
});
export type BindLabeledMessage = z.output<typeof bindLabeledSchema>;

/**
 * Options that would protect an endpoint if they were applied (ngrok applies
 * them at its edge): Botdesk does not, so a bind asking for one is refused
 * rather than served unprotected.
 */
const PROTECTING_OPTIONS = ["BasicAuth", "OAuth", "OIDC", "IPRestriction", "WebhookVerification", "MutualTLSCA", "TrafficPolicy", "Policy", "UserAgentFilter"] as const;

/** The first protecting option a bind asks for (set, not null or empty), if any. */
export function protectingOption(bind: BindMessage): string | undefined {
  const opts = bind.Opts as Record<string, unknown>;
  const asked = PROTECTING_OPTIONS.find((key) => {
    const value = opts[key];
    return value !== undefined && value !== null && value !== "" && !(Array.isArray(value) && value.length === 0);
  });
  if (asked) return asked;
  const ipPolicy = (bind.Extra as Record<string, unknown>).IPPolicyRef;
  return typeof ipPolicy === "string" && ipPolicy !== "" ? "IPPolicyRef" : undefined;
}

export const unbindSchema = z.object({ Id: z.string().min(1).max(128) });

/** What Botdesk answers to the requests it does not serve. */
export const NOT_SUPPORTED: Partial<Record<number, string>> = {
  [StreamType.RESTART]: "Restart is not supported by Botdesk.",
  [StreamType.STOP]: "Stop from the agent is not supported by Botdesk: close the session.",
  [StreamType.UPDATE]: "Update is not supported by Botdesk.",
  [StreamType.STOP_TUNNEL]: "StopTunnel is not supported by Botdesk: use Unbind.",
  [StreamType.PATCH_TUNNEL_STATE]: "PatchTunnelState is not supported by Botdesk.",
};

/** The protocol versions Botdesk speaks, in its order of preference (the spike answered "3" to @ngrok/ngrok 1.7.0). */
export const PROTOCOL_VERSIONS = ["3", "2"] as const;

/** One line of text an agent said about itself, as a session keeps it: control and bidi characters dropped, at most `max` characters. */
export function agentText(s: string, max: number): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, "").trim().slice(0, max);
}

/**
 * An error answer as the SDKs read it: `{"Error": "<text>\n\nERR_NGROK_<n>"}`;
 * they surface the code found in the text as the error's `code`.
 */
export function errorAnswer(message: string, code?: string): { Error: string } {
  return { Error: code ? `${message}\n\n${code}` : message };
}

/** How each refusal of an authtoken is said to an agent (the codes ngrok's agents know). */
export const AUTH_REFUSAL_CODES: Record<CredentialRefusalReason, string> = {
  malformed: "ERR_NGROK_107",
  unknown: "ERR_NGROK_107",
  expired: "ERR_NGROK_107",
  owner_deleted: "ERR_NGROK_107",
  revoked: "ERR_NGROK_300",
  owner_deactivated: "ERR_NGROK_636",
};

/** ngrok's code for a refusal of a start or bind, where ngrok has one (the same as the REST API's, lib/api/from-result.ts). */
export function agentErrorCode(code: ResultCode): string | undefined {
  switch (code) {
    case "too_many_sessions":
      return "ERR_NGROK_108";
    case "bind_refused":
      return "ERR_NGROK_308";
    case "label_refused":
      return "ERR_NGROK_399";
    case "hostname_not_reserved":
      return "ERR_NGROK_319";
    case "hostname_reserved_elsewhere":
      return "ERR_NGROK_320";
    case "endpoint_online":
      return "ERR_NGROK_334";
    case "actor_deactivated":
      return "ERR_NGROK_636";
    case "actor_deleted":
      return "ERR_NGROK_107";
    default:
      return undefined;
  }
}

/** The first problem zod found, said in one line. */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join(".") || "message"}: ${issue.message}` : "invalid message";
}
