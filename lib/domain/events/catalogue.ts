/**
 * Every event type Botdesk records: its label, its category and what its `data`
 * holds. recordEvent accepts only these types (TypeScript refuses others, and a
 * test scans lib/ and app/ for recorded types missing here); filters, labels,
 * docs/guide.md's table and the export use it. No imports: client components use
 * it too.
 */

// No "api" category: what a principal does through the API is recorded as the change it made
// (bots, credentials), with source `api` and the key it used; reads are metered, not events.
export const EVENT_CATEGORIES = ["bots", "people", "credentials", "domains", "sign-in", "agents", "system"] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

export const CATEGORY_LABELS: Record<EventCategory, string> = {
  bots: "Bots",
  people: "People",
  credentials: "Credentials",
  domains: "Domains",
  "sign-in": "Sign-in",
  agents: "Agents",
  system: "System",
};

export interface EventTypeInfo {
  label: string;
  category: EventCategory;
  /** What the event's `data` holds (never a secret). */
  data: string;
}

export const EVENT_CATALOGUE = {
  "bot.created": { label: "Bot created", category: "bots", data: "after {name, active, description?, contact?}" },
  "bot.renamed": { label: "Bot renamed", category: "bots", data: "before {name}, after {name}" },
  "bot.updated": { label: "Bot details changed", category: "bots", data: "before {description?, contact?}, after {description?, contact?} (the fields that changed)" },
  "bot.deactivated": { label: "Bot deactivated", category: "bots", data: "before {active: true}, after {active: false}" },
  "bot.reactivated": { label: "Bot reactivated", category: "bots", data: "before {active: false}, after {active: true}" },
  "bot.deleted": {
    label: "Bot deleted",
    category: "bots",
    data: "before {name, active}, after {deleted: true}, credentialsDeleted [{id, kind, display, alreadyRevoked?}] (deleted with it; revoked by it unless alreadyRevoked)",
  },
  "person.added": { label: "Person added", category: "people", data: "after {email, role}, newUser (a new Botdesk user was created)" },
  "person.role_changed": { label: "Role changed", category: "people", data: "before {role}, after {role}" },
  "person.deactivated": { label: "Person deactivated", category: "people", data: "before {active: true}, after {active: false}" },
  "person.reactivated": { label: "Person reactivated", category: "people", data: "before {active: false}, after {active: true}" },
  "person.removed": { label: "Person removed", category: "people", data: "before {email, role}" },
  "person.password_changed": { label: "Password changed", category: "people", data: "otherSessionsEnded" },
  "person.password_reset": {
    label: "Password reset",
    category: "people",
    data: "sessionsEnded, mustChangePassword (the person chooses a new password at next sign-in; never the password)",
  },
  "person.two_factor_enabled": {
    label: "Two-factor sign-in turned on",
    category: "people",
    data: "recoveryCodes (how many were issued), otherSessionsEnded; recorded in each account of the person (never the secret or a code)",
  },
  "person.two_factor_disabled": { label: "Two-factor sign-in turned off", category: "people", data: "by (self); recorded in each account of the person" },
  "person.two_factor_reset": { label: "Two-factor sign-in reset", category: "people", data: "sessionsEnded (an admin cleared the person's second factor)" },
  "person.recovery_codes_regenerated": {
    label: "Recovery codes regenerated",
    category: "people",
    data: "count (the old set stopped working); recorded in each account of the person",
  },
  "person.operator_reset": {
    label: "Reset by the operator",
    category: "people",
    data: "passwordReset, twoFactorCleared, sessionsEnded, mustChangePassword (npm run reset-owner; source system; never the password)",
  },
  "credential.created": {
    label: "Credential created",
    category: "credentials",
    data: "kind, owner {id, name, kind}, expiresAt, after {description, metadata, acl, expiresAt}",
  },
  "credential.updated": { label: "Credential updated", category: "credentials", data: "before and after {description, metadata, acl} (the fields changed)" },
  "credential.rotated": {
    label: "Credential rotated",
    category: "credentials",
    data: "kind, owner, from (old id), to (new id), fromDisplay, toDisplay (as tables show them), oldExpiresAt (end of the grace period), expiresAt",
  },
  "credential.revoked": { label: "Credential revoked", category: "credentials", data: "kind, owner, before {revokedAt: null}, after {revokedAt}" },
  "credential.expiring": {
    label: "Credential expiring soon",
    category: "credentials",
    data: "kind, owner, expiresAt, daysLeft (7, then 1: recorded 7 days and 1 day before it expires; source system)",
  },
  "credential.expired": { label: "Credential expired", category: "credentials", data: "kind, owner, expiredAt" },
  "credential.refused": {
    label: "Credential refused",
    category: "credentials",
    data: "kind, reason (revoked | expired | owner_deactivated | owner_deleted), path (the request path)",
  },
  "reserved_domain.created": {
    label: "Domain reserved",
    category: "domains",
    data: "after {domain, description, metadata, region}; subject: the reserved domain (rd_…)",
  },
  "reserved_domain.updated": { label: "Reserved domain updated", category: "domains", data: "domain, before and after {description, metadata} (the fields changed)" },
  "reserved_domain.deleted": { label: "Reserved domain released", category: "domains", data: "before {domain, description, metadata, region}" },
  "login.refused": { label: "Sign-in refused", category: "sign-in", data: "path (how the sign-in was tried), reason, overLimit" },
  "login.code_refused": {
    label: "Two-factor code refused",
    category: "sign-in",
    data: "reason (wrong | replayed | unreadable); at most 20 a minute per person, in each of their accounts",
  },
  "login.recovery_code_used": { label: "Recovery code used", category: "sign-in", data: "remaining (unused recovery codes left); in each account of the person" },
  "agent.session_started": { label: "Agent session started", category: "agents", data: "agentVersion, os, region, transport" },
  "agent.endpoint_bound": { label: "Endpoint bound", category: "agents", data: "endpointId, url (null for labels only), labels {key: value}; subject: the session" },
  "agent.endpoint_unbound": {
    label: "Endpoint unbound",
    category: "agents",
    data: "endpointId, url (null for labels only), labels {key: value}; the agent closed this endpoint (Unbind), its session goes on; subject: the session",
  },
  "agent.bind_refused": {
    label: "Bind refused",
    category: "agents",
    data: "url, labels, acl (the authtoken's rules), why (what refused it), reason (absent for the ACL; hostname_not_reserved, hostname_reserved_elsewhere or endpoint_online for the hostname rules); subject: the session",
  },
  "agent.session_ended": {
    label: "Agent session ended",
    category: "agents",
    data: "reason (agent_closed | heartbeat_timeout | credential_refused | server_stopped | stopped), refusal (revoked | expired | owner_deactivated | owner_deleted | credential_deleted), stoppedBy {id, name} (who stopped it: the stop API or the Stop button), durationSeconds, bytesIn, bytesOut, requests",
  },
  "account.created": {
    label: "Account created",
    category: "system",
    data: "after {name, plan, seatLimit}, via (setup_link: the first account, made with the link the server printed)",
  },
  "account.updated": {
    label: "Account settings changed",
    category: "system",
    data: "before and after of the settings changed (name, seatLimit, quotas, eventRetentionDays)",
  },
  "account.two_factor_requirement_changed": {
    label: "Two-factor requirement changed",
    category: "system",
    data: "before and after {requireTwoFactor}, peopleWithout (active people without a second factor then)",
  },
  "event_destination.created": {
    label: "Event destination added",
    category: "system",
    data: "after {kind, target (without its secret), description, metadata}; subject: the destination (ed_…)",
  },
  "event_destination.updated": { label: "Event destination updated", category: "system", data: "before and after of the fields changed (description, metadata, target without its secret)" },
  "event_destination.deleted": { label: "Event destination removed", category: "system", data: "before {kind, target (without its secret), description}" },
  "event_destination.tested": { label: "Test event sent", category: "system", data: "test: true (sent to this destination only, whatever its subscriptions)" },
  "event_destination.redelivered": { label: "Events redelivered", category: "system", data: "eventId (one message) or since (every message from then on), count (messages queued again)" },
  "event_destination.failing": {
    label: "Event destination failing",
    category: "system",
    data: "eventId, eventType, attempts, lastStatus, lastError (a delivery was given up after retrying for a day); source system",
  },
  "event_subscription.created": { label: "Event subscription added", category: "system", data: "after {sources, destinationIds, description, metadata}" },
  "event_subscription.updated": { label: "Event subscription updated", category: "system", data: "before and after of the fields changed (sources, destinationIds, description, metadata)" },
  "event_subscription.deleted": { label: "Event subscription removed", category: "system", data: "before {sources, destinationIds, description}" },
  "events.exported": { label: "Activity exported", category: "system", data: "format (csv | ndjson), filters (the exported view's)" },
  "events.purged": { label: "Old events purged", category: "system", data: "before (events created before this time were deleted), retentionDays, count" },
} as const satisfies Record<string, EventTypeInfo>;

export type EventType = keyof typeof EVENT_CATALOGUE;

export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(EVENT_CATALOGUE, type);
}

/** A type's label and category; a type no longer in the catalogue (old rows) shows as its code under "system". */
export function eventTypeInfo(type: string): EventTypeInfo {
  return isEventType(type) ? EVENT_CATALOGUE[type] : { label: type, category: "system", data: "" };
}

export function eventTypesIn(category: EventCategory): EventType[] {
  return EVENT_TYPES.filter((t) => EVENT_CATALOGUE[t].category === category);
}

/** docs/guide.md's event-types table, generated from the catalogue (a test keeps the doc equal to it). */
export function eventTypesMarkdown(): string {
  const rows = EVENT_TYPES.map((t) => {
    const e = EVENT_CATALOGUE[t];
    return `| \`${t}\` | ${e.label} | ${CATEGORY_LABELS[e.category]} | ${e.data.replaceAll("|", "\\|")} |`;
  });
  return ["| type | label | category | data |", "|---|---|---|---|", ...rows].join("\n");
}
