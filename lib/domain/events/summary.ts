/**
 * One line a feed row shows under an event's label, read from its `data`: what
 * changed (`name: billing-sync → billing-sync-2`), why something was refused
 * (`reason: revoked · path: /api/v1/bot_users`), what a deletion took with it.
 * The detail view (/activity/<id>) has every field; this is what a reader of
 * the list needs to not open each row. Events' data never holds a secret.
 * No imports: client components may use it.
 */

/**
 * One part of the line: `label: value`, or `label: before → after` for a change. `time` marks
 * values that are ISO instants (pages show them as every other time, in the viewer's zone);
 * `credentialId` a value that shows a credential as tables do (`bdak_…ZCZG`), linked by its id.
 */
export type SummaryPart =
  | { label: string; value: string; time?: true; credentialId?: string }
  | { label: string; before: string; after: string; time?: true };

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** An ISO 8601 instant, as events record times. */
export const isInstant = (v: unknown): v is string => typeof v === "string" && INSTANT.test(v) && !Number.isNaN(Date.parse(v));

const MAX_PARTS = 3;
const MAX_VALUE = 80;

/** A JSON object (not null, not an array): what an event's `data` and its parts are read as. */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** A value as one short string: strings as they are, `(none)` for null or empty, other values as JSON; cut at 80 characters. */
function text(v: unknown): string {
  const s = v === null || v === undefined || v === "" ? "(none)" : typeof v === "string" ? v : JSON.stringify(v);
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

/** The keys a before → after changed, each `key: before → after`. */
function changes(before: Record<string, unknown>, after: Record<string, unknown>): SummaryPart[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  return keys.map((k) => {
    const time = (isInstant(before[k]) || isEmpty(before[k])) && (isInstant(after[k]) || isEmpty(after[k])) && (isInstant(before[k]) || isInstant(after[k]));
    return { label: k, before: text(before[k]), after: text(after[k]), ...(time ? { time: true as const } : {}) };
  });
}

const isEmpty = (v: unknown) =>
  v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0) || (isRecord(v) && Object.keys(v).length === 0);

/** The keys of `data` that hold something, each `key: value`. */
function fields(data: Record<string, unknown>, keys: string[]): SummaryPart[] {
  return keys.filter((k) => !isEmpty(data[k])).map((k) => ({ label: k, value: text(data[k]), ...(isInstant(data[k]) ? { time: true as const } : {}) }));
}

/** A credential named in data by its id, shown as tables show it when the event recorded that (older events: the id). */
function credential(label: string, id: unknown, display: unknown): SummaryPart[] {
  if (typeof id !== "string" || id === "") return [];
  return [{ label, value: typeof display === "string" && display !== "" ? text(display) : text(id), credentialId: id }];
}

/** 14400 → "4 h", 7260 → "2 h 1 min", 95 → "1 min 35 s". */
function duration(seconds: unknown): SummaryPart[] {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return [];
  const s = Math.round(seconds);
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const value = h > 0 ? `${h} h${m > 0 ? ` ${m} min` : ""}` : m > 0 ? `${m} min${r > 0 ? ` ${r} s` : ""}` : `${r} s`;
  return [{ label: "duration", value }];
}

export function eventSummary(type: string, data: Record<string, unknown>): SummaryPart[] {
  return summarize(type, data).slice(0, MAX_PARTS);
}

function summarize(type: string, data: Record<string, unknown>): SummaryPart[] {
  switch (type) {
    case "bot.deleted": {
      const gone = Array.isArray(data.credentialsDeleted) ? data.credentialsDeleted.filter(isRecord) : [];
      if (gone.length === 0) return [{ label: "credentials deleted with it", value: "none" }];
      const shown = gone.slice(0, 3).map((c) => text(c.display ?? c.id));
      const already = gone.filter((c) => c.alreadyRevoked === true).length;
      return [
        { label: `credentials deleted with it (${gone.length}${already > 0 ? `, ${already} already revoked` : ""})`, value: shown.join(", ") + (gone.length > 3 ? ", …" : "") },
      ];
    }
    case "account.created":
      return isRecord(data.after) ? fields(data.after, ["name", "seatLimit"]) : [];
    case "person.added":
      return isRecord(data.after) ? fields(data.after, ["email", "role"]) : [];
    case "person.removed":
      return isRecord(data.before) ? fields(data.before, ["email", "role"]) : [];
    case "credential.created":
      return fields(data, ["kind", "expiresAt"]);
    case "credential.rotated":
      return [...credential("from", data.from, data.fromDisplay), ...credential("to", data.to, data.toDisplay), ...fields(data, ["oldExpiresAt"])];
    case "credential.expired":
      return fields(data, ["kind", "expiredAt"]);
    case "credential.refused":
      return fields(data, ["reason", "path"]);
    case "login.refused":
      return fields(data, ["reason", "path"]);
    case "agent.session_started":
      // An SSH client says no OS: "unknown" is left out rather than shown as one.
      return fields(data.os === "unknown" ? { ...data, os: null } : data, ["agentVersion", "os", "transport"]);
    case "agent.endpoint_bound":
    case "agent.endpoint_unbound":
      return fields(data, ["url", "labels"]);
    case "agent.bind_refused":
      return fields(data, ["url", "why"]);
    case "agent.session_ended":
      return [...fields(data, ["reason", "refusal"]), ...duration(data.durationSeconds)];
    case "reserved_domain.created":
      return isRecord(data.after) ? fields(data.after, ["domain", "description"]) : [];
    case "reserved_domain.deleted":
      return isRecord(data.before) ? fields(data.before, ["domain"]) : [];
    case "login.code_refused":
      return fields(data, ["reason"]);
    case "login.recovery_code_used":
      return [{ label: "recovery codes left", value: text(data.remaining) }];
    case "person.operator_reset":
      return fields(data, ["passwordReset", "twoFactorCleared"]);
    case "events.exported":
      return fields(data, ["format", "filters"]);
    case "events.purged":
      return fields(data, ["count", "before"]);
    default:
      // Every other change records before → after (a rename, (de)activation, a role, settings, a credential's fields).
      if (isRecord(data.before) && isRecord(data.after)) return changes(data.before, data.after);
      return [];
  }
}
