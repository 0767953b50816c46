import { EVENT_CATALOGUE, EVENT_TYPES, type EventType } from "@/lib/domain/events/catalogue";

/**
 * The names events are sent under (`event_type` in the envelope, `sources` of
 * a subscription): ngrok's where ngrok has the event (`api_key_created.v0`,
 * `credential_created.v0` for an authtoken, `ssh_credential_created.v0`, a
 * revocation as ngrok's `_deleted`), else ngrok's pattern
 * `<object>_<action>.v0` from the catalogue's `resource.verb`
 * (`bot_user_deactivated.v0`). No imports but the catalogue: the Settings page
 * lists them too.
 */
const OBJECT_OF_RESOURCE: Record<string, string> = { bot: "bot_user" };
const OBJECT_OF_CREDENTIAL_KIND: Record<string, string> = { api_key: "api_key", authtoken: "credential", ssh_key: "ssh_credential" };
const NGROK_ACTION: Record<string, string> = { revoked: "deleted" };

/** The stream name of a recorded event; a credential's kind (in `data.kind`) chooses ngrok's object name. */
export function streamTypeOf(type: EventType, data: { kind?: unknown } | undefined): string {
  const [resource, verb] = type.split(".") as [string, string];
  if (resource === "credential") {
    const object = OBJECT_OF_CREDENTIAL_KIND[String(data?.kind)] ?? "credential";
    return `${object}_${NGROK_ACTION[verb] ?? verb}.v0`;
  }
  return `${OBJECT_OF_RESOURCE[resource] ?? resource}_${verb}.v0`;
}

/** Every name a subscription may list, with the catalogue type it comes from, in the catalogue's order. */
export const STREAM_TYPES: readonly { name: string; type: EventType }[] = EVENT_TYPES.flatMap((type) =>
  type.startsWith("credential.")
    ? Object.keys(OBJECT_OF_CREDENTIAL_KIND).map((kind) => ({ name: streamTypeOf(type, { kind }), type }))
    : [{ name: streamTypeOf(type, undefined), type }],
);

const NAMES = new Set(STREAM_TYPES.map((t) => t.name));

export function isStreamType(name: string): boolean {
  return NAMES.has(name);
}

/** docs/event-streams.md's table of every type sent, generated from the catalogue (a test keeps the doc equal to it). */
export function streamTypesMarkdown(): string {
  const rows = STREAM_TYPES.map(({ name, type }) => `| \`${name}\` | \`${type}\` | ${EVENT_CATALOGUE[type].label} | ${EVENT_CATALOGUE[type].data.replaceAll("|", "\\|")} |`);
  return ["| event_type | Botdesk's type (`object.type`) | what happened | `object.data` |", "|---|---|---|---|", ...rows].join("\n");
}
