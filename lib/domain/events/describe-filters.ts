import type { Actor } from "@/lib/domain/access/types";
import { db } from "@/lib/db/client";
import { EVENT_CATALOGUE, CATEGORY_LABELS } from "@/lib/domain/events/catalogue";
import { SOURCE_LABELS, TIME_RANGE_LABELS } from "@/lib/domain/events/filters";
import { maskedSecret } from "@/lib/domain/credentials/token-format";
import { EVENT_FILTER_KEYS, eventsQueryFromParams, type EventsQuery } from "@/lib/validation/events";
import { ID_PATTERN } from "@/lib/validation/text";

type Params = Record<string, string | string[] | undefined>;
export type EventFilterKey = (typeof EVENT_FILTER_KEYS)[number];

/** A filter in force, as the filter bar shows it: "Done by: Ada Admin". */
export interface ActiveFilter {
  key: EventFilterKey;
  label: string;
  value: string;
}

/** A filter the URL asked for that was not applied as asked, and why. */
export interface FilterNotice {
  key: EventFilterKey;
  label: string;
  message: string;
}

export interface DescribedEventFilters {
  /** The query to list with: invalid values dropped, a credential given as shown in tables turned into its id. */
  query: EventsQuery;
  active: ActiveFilter[];
  notices: FilterNotice[];
  /** An impossible custom range ("from" after "to"): nothing is listed until it is fixed. */
  rangeError: string | null;
  /** What the credential field shows: the credential as tables show it, or what was typed. */
  credentialText: string;
}

export const FILTER_LABELS: Record<EventFilterKey, string> = {
  principal: "Done by",
  bot: "Concerning bot",
  credential: "Credential",
  type: "Event type",
  category: "Category",
  source: "Source",
  range: "Time",
  from: "From",
  to: "To",
};

const first = (params: Params, key: string) => {
  const v = params[key];
  return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
};
const quoted = (s: string) => `“${s.length > 40 ? `${s.slice(0, 40)}…` : s}”`;
const utcDay = (s: string) => new Date(s.length === 10 ? `${s}T00:00:00Z` : s);
const dayText = (d: Date) => d.toISOString().slice(0, 10);

/** A credential as tables show it: `bdak_…ZCZG` (also typed with "..."), or an SSH key's `SHA256:…` fingerprint. */
const MASKED = /^(bdat|bdak)_(?:…|\.\.\.)([0-9A-Za-z]{4})$/;

async function principalName(accountId: string, id: string, botsOnly: boolean): Promise<string | null> {
  const p = await db().principal.findFirst({
    where: botsOnly
      ? { id, kind: "bot", accountId }
      : { id, OR: [{ kind: "bot", accountId }, { memberships: { some: { accountId } } }] },
    select: { name: true, deletedAt: true },
  });
  return p ? `${p.name}${p.deletedAt ? " (deleted)" : ""}` : null;
}

/** The credential's id and how tables show it, from its id or from what tables show; an error message when none or several match. */
async function findCredential(accountId: string, text: string): Promise<{ id: string; display: string } | { error: string }> {
  const show = (c: { kind: string; secretHint: string | null; fingerprint: string | null }) =>
    c.kind === "ssh_key" ? (c.fingerprint ?? "") : maskedSecret(c.kind as "authtoken" | "api_key", c.secretHint);
  const select = { id: true, kind: true, secretHint: true, fingerprint: true } as const;
  if (ID_PATTERN.test(text)) {
    const live = await db().credential.findFirst({ where: { id: text, accountId }, select });
    if (live) return { id: live.id, display: show(live) };
    // A deleted credential lives on in its events (the credential feed's index).
    const seen = await db().event.findFirst({ where: { credentialId: text, accountId }, select: { credentialDisplay: true } });
    if (seen) return { id: text, display: seen.credentialDisplay ?? text };
    return { error: `no credential of this account has the id ${quoted(text)}, so no event matches it.` };
  }
  const masked = MASKED.exec(text);
  const where = masked
    ? { accountId, kind: masked[1] === "bdat" ? ("authtoken" as const) : ("api_key" as const), secretHint: masked[2]! }
    : /^SHA256:[A-Za-z0-9+/]{43}$/.test(text)
      ? { accountId, fingerprint: text }
      : null;
  if (!where) return { error: `${quoted(text)} is neither a credential's id (ak_…, cr_…, sshcr_…) nor how tables show one (bdak_…ZCZG, SHA256:…): this filter was not applied.` };
  const found = await db().credential.findMany({ where, select, take: 6, orderBy: { createdAt: "desc" } });
  if (found.length === 1) return { id: found[0]!.id, display: show(found[0]!) };
  if (found.length === 0) return { error: `no live credential of this account shows as ${quoted(text)} (a deleted one is found by its id): this filter was not applied.` };
  return { error: `${found.length > 5 ? "more than 5" : found.length} credentials show as ${quoted(text)} (${found.slice(0, 5).map((c) => c.id).join(", ")}): use the id. This filter was not applied.` };
}

/**
 * Reads /activity's filters from the URL and says what each did: the filters in
 * force by name (the bar), each unknown or invalid value named instead of
 * silently dropped, an impossible custom range refused, and a credential given
 * as tables show it (`bdak_…ZCZG`, an SSH fingerprint) found by that. Reads only.
 */
export async function describeEventFilters(actor: Actor, params: Params): Promise<DescribedEventFilters> {
  const accountId = actor.account.id;
  const query = eventsQueryFromParams(params);
  const active: ActiveFilter[] = [];
  const notices: FilterNotice[] = [];
  const notice = (key: EventFilterKey, message: string) => notices.push({ key, label: FILTER_LABELS[key], message });
  const raw = (key: EventFilterKey) => first(params, key);

  for (const key of ["principal", "bot"] as const) {
    const text = raw(key);
    if (!text) continue;
    const id = query[key];
    if (!id) {
      notice(key, `${quoted(text)} is not the id of a ${key === "bot" ? "bot" : "person or bot"}: this filter was not applied.`);
      continue;
    }
    const name = await principalName(accountId, id, key === "bot");
    if (name) active.push({ key, label: FILTER_LABELS[key], value: name });
    else notice(key, `no ${key === "bot" ? "bot" : "person or bot"} of this account has the id ${quoted(id)}, so no event matches it.`);
  }

  let credentialText = raw("credential") ?? "";
  if (credentialText) {
    const found = await findCredential(accountId, credentialText);
    if ("id" in found) {
      query.credential = found.id;
      credentialText = found.display;
      active.push({ key: "credential", label: FILTER_LABELS.credential, value: found.display });
    } else {
      // An id nobody has still filters (to nothing); anything else is not applied.
      if (!ID_PATTERN.test(credentialText)) query.credential = undefined;
      notice("credential", found.error);
    }
  }

  const enumFilters = [
    ["category", query.category ? CATEGORY_LABELS[query.category] : undefined],
    ["type", query.type ? (EVENT_CATALOGUE[query.type as keyof typeof EVENT_CATALOGUE]?.label ?? query.type) : undefined],
    ["source", query.source ? SOURCE_LABELS[query.source] : undefined],
  ] as const;
  for (const [key, label] of enumFilters) {
    const text = raw(key);
    if (label) active.push({ key, label: FILTER_LABELS[key], value: label });
    else if (text) notice(key, `${quoted(text)} is not a known ${FILTER_LABELS[key].toLowerCase()}: this filter was not applied.`);
  }

  let rangeError: string | null = null;
  const rangeText = raw("range");
  if (rangeText && rangeText !== query.range && !(query.range === "custom" && rangeText === "all")) {
    notice("range", `${quoted(rangeText)} is not a known time range: this filter was not applied.`);
  }
  for (const key of ["from", "to"] as const) {
    const text = raw(key);
    if (text && !query[key]) notice(key, `${quoted(text)} is not a day (YYYY-MM-DD): this end of the range was not applied.`);
  }
  if (query.range === "custom") {
    const from = query.from ? utcDay(query.from) : null;
    const to = query.to ? utcDay(query.to) : null;
    if (from && to && from > to) {
      rangeError = `“From” (${dayText(from)}) is after “To” (${dayText(to)}): no event can be in that range. Swap them or change one.`;
    } else if (from || to) {
      active.push({ key: "range", label: "Time (UTC days)", value: `${from ? dayText(from) : "the start"} to ${to ? dayText(to) : "now"}` });
    }
  } else if (query.range !== "all") {
    active.push({ key: "range", label: FILTER_LABELS.range, value: TIME_RANGE_LABELS[query.range] });
  }

  return { query, active, notices, rangeError, credentialText };
}

/** The URL's filter keys that are present but empty (a GET form sends every field), or the default range: `/activity` drops them. */
export function emptyFilterKeys(params: Params): string[] {
  return EVENT_FILTER_KEYS.filter((key) => {
    const v = params[key];
    if (v === undefined) return false;
    const value = (Array.isArray(v) ? v[0] : v) ?? "";
    return value.trim() === "" || (key === "range" && value === "all");
  });
}
