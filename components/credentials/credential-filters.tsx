"use client";

import { useEffect, useId, useRef, useState } from "react";
import { isModifiedClick, useUrlState } from "@/components/use-url-state";
import { buttonClass } from "@/components/ui/button-styles";
import type { ListCredentialsQuery } from "@/lib/validation/credentials";

const DEBOUNCE_MS = 350;
const SELECT = "min-h-10 rounded-md border border-slate-300 bg-white px-2 py-2 text-sm shadow-xs";

export const KIND_FILTERS = [
  { value: "all", label: "All kinds" },
  { value: "authtoken", label: "Authtokens" },
  { value: "api_key", label: "API keys" },
  { value: "ssh_key", label: "SSH keys" },
];
export const STATUS_FILTERS = [
  { value: "all", label: "Any status" },
  { value: "active", label: "Active" },
  { value: "expiring", label: "Expiring within 7 days" },
  { value: "expired", label: "Expired" },
  { value: "suspended", label: "Suspended (owner deactivated)" },
];
export const USED_FILTERS = [
  { value: "all", label: "Any time" },
  { value: "7d", label: "In the last 7 days" },
  { value: "30d", label: "In the last 30 days" },
  { value: "stale", label: "Not in 30 days" },
  { value: "stale90", label: "Not in 90 days" },
  { value: "never", label: "Never used" },
];

type Selects = Pick<ListCredentialsQuery, "kind" | "status" | "used">;

/**
 * The /credentials filters, kept in the URL (`?owner=&kind=&status=&used=`).
 * A plain GET form, so it works without JavaScript; with it, the owner box
 * applies after a pause and the selects at once. Any change goes back to page 1.
 * (The shared TableFilters has one text box and one status select only.)
 */
export function CredentialFilters({ query }: { query: ListCredentialsQuery }) {
  const { navigate, hrefWith, searchParams, pathname } = useUrlState();
  const formId = useId();
  const ownerId = `${formId}-owner`;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // The box follows the URL (back/forward, "Clear"), except for the value it just sent itself.
  const [owner, setOwner] = useState(query.owner);
  const [seenOwner, setSeenOwner] = useState(query.owner);
  const [sentOwner, setSentOwner] = useState<string | null>(null);
  if (query.owner !== seenOwner) {
    setSeenOwner(query.owner);
    if (query.owner !== sentOwner) setOwner(query.owner);
  }
  // The selects show a choice at once, and follow the URL when it changes.
  const fromQuery: Selects = { kind: query.kind, status: query.status, used: query.used };
  const [selects, setSelects] = useState<Selects>(fromQuery);
  const [seenSelects, setSeenSelects] = useState<Selects>(fromQuery);
  if (fromQuery.kind !== seenSelects.kind || fromQuery.status !== seenSelects.status || fromQuery.used !== seenSelects.used) {
    setSeenSelects(fromQuery);
    setSelects(fromQuery);
  }

  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  const apply = (nextOwner: string, next: Selects) => {
    if (timer.current) clearTimeout(timer.current);
    const trimmed = nextOwner.trim();
    setSentOwner(trimmed);
    setSelects(next);
    navigate({
      owner: trimmed,
      kind: next.kind === "all" ? null : next.kind,
      status: next.status === "all" ? null : next.status,
      used: next.used === "all" ? null : next.used,
      page: null,
    });
  };

  const filtered = query.owner !== "" || query.kind !== "all" || query.status !== "all" || query.used !== "all";
  const kept = [...searchParams.entries()].filter(([k]) => !["owner", "kind", "status", "used", "page"].includes(k));

  const select = (key: keyof Selects, label: string, options: { value: string; label: string }[]) => (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={`${formId}-${key}`} className="text-xs font-medium text-slate-600">
        {label}
      </label>
      <select id={`${formId}-${key}`} name={key} value={selects[key]} onChange={(e) => apply(owner, { ...selects, [key]: e.target.value })} className={SELECT}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );

  return (
    <form
      method="get"
      action={pathname}
      role="search"
      aria-label="Filter credentials"
      data-testid="credential-filters"
      onSubmit={(e) => {
        e.preventDefault();
        apply(owner, selects);
      }}
      className="grid grid-cols-2 items-end gap-2 sm:flex sm:flex-wrap"
    >
      {kept.map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <div className="col-span-2 flex min-w-0 flex-col gap-1 sm:max-w-xs sm:flex-1 sm:basis-56">
        <label htmlFor={ownerId} className="text-xs font-medium text-slate-600">
          Owner
        </label>
        <input
          id={ownerId}
          type="search"
          name="owner"
          value={owner}
          placeholder="Name contains, or an id"
          autoComplete="off"
          spellCheck={false}
          onChange={(e) => {
            const next = e.target.value;
            setOwner(next);
            if (timer.current) clearTimeout(timer.current);
            timer.current = setTimeout(() => {
              if (next.trim() !== query.owner) apply(next, selects);
            }, DEBOUNCE_MS);
          }}
          className="min-h-10 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-xs placeholder:text-slate-400"
        />
      </div>
      {select("kind", "Kind", KIND_FILTERS)}
      {select("status", "Status", STATUS_FILTERS)}
      {select("used", "Last used", USED_FILTERS)}
      <div className="flex items-end gap-2">
        <button type="submit" className={buttonClass("secondary")}>
          Filter
        </button>
        {filtered && (
          <a
            href={hrefWith({ owner: null, kind: null, status: null, used: null, page: null })}
            onClick={(e) => {
              if (isModifiedClick(e)) return;
              e.preventDefault();
              setOwner("");
              apply("", { kind: "all", status: "all", used: "all" });
            }}
            className="inline-flex min-h-10 items-center px-2 text-sm font-medium whitespace-nowrap text-indigo-700 underline"
          >
            Clear filters
          </a>
        )}
      </div>
    </form>
  );
}
