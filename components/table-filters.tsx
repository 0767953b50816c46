"use client";

import { useEffect, useId, useRef, useState } from "react";
import { buttonClass } from "@/components/ui/button-styles";
import { isModifiedClick, useUrlState } from "./use-url-state";

const DEBOUNCE_MS = 350;

/**
 * A table's text and status filters, kept in the URL. It is a plain GET form,
 * so it works without JavaScript; with it, typing updates the URL after a short
 * pause and the status applies at once. Changing a filter goes back to page 1.
 */
export function TableFilters({
  keys,
  q,
  status,
  statusOptions,
  searchLabel,
  placeholder,
  testId,
}: {
  keys: { q: string; status: string; page: string };
  q: string;
  status: string;
  statusOptions: { value: string; label: string }[];
  searchLabel: string;
  placeholder: string;
  testId: string;
}) {
  const { navigate, hrefWith, searchParams, pathname } = useUrlState();
  const searchId = useId();
  const statusId = useId();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // The box follows the URL (back/forward, "Clear"), except for the value this box itself just sent.
  const [value, setValue] = useState(q);
  const [seenQ, setSeenQ] = useState(q);
  const [sentQ, setSentQ] = useState<string | null>(null);
  if (q !== seenQ) {
    setSeenQ(q);
    if (q !== sentQ) setValue(q);
  }
  // The select shows the chosen status at once, and follows the URL when it changes.
  const [statusValue, setStatusValue] = useState(status);
  const [seenStatus, setSeenStatus] = useState(status);
  if (status !== seenStatus) {
    setSeenStatus(status);
    setStatusValue(status);
  }

  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  const apply = (nextQ: string, nextStatus: string) => {
    if (timer.current) clearTimeout(timer.current);
    const trimmed = nextQ.trim();
    setSentQ(trimmed);
    setStatusValue(nextStatus);
    navigate({ [keys.q]: trimmed, [keys.status]: nextStatus === "all" ? null : nextStatus, [keys.page]: null });
  };

  const filtered = q !== "" || status !== "all";
  // Everything else in the URL (the other table's state, this table's sort and size) survives a plain GET submit.
  const kept = [...searchParams.entries()].filter(([k]) => k !== keys.q && k !== keys.status && k !== keys.page);

  return (
    <form
      method="get"
      action={pathname}
      role="search"
      aria-label={searchLabel}
      data-testid={testId}
      onSubmit={(e) => {
        e.preventDefault();
        apply(value, statusValue);
      }}
      className="flex flex-wrap items-end gap-2"
    >
      {kept.map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      <div className="flex min-w-0 flex-1 basis-56 flex-col gap-1 sm:max-w-md">
        <label htmlFor={searchId} className="text-xs font-medium text-slate-600">
          {searchLabel}
        </label>
        <input
          id={searchId}
          type="search"
          name={keys.q}
          value={value}
          placeholder={placeholder}
          autoComplete="off"
          onChange={(e) => {
            const next = e.target.value;
            setValue(next);
            if (timer.current) clearTimeout(timer.current);
            timer.current = setTimeout(() => {
              if (next.trim() !== q) apply(next, statusValue);
            }, DEBOUNCE_MS);
          }}
          className="min-h-10 w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-xs placeholder:text-slate-400"
        />
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor={statusId} className="text-xs font-medium text-slate-600">
          Status
        </label>
        <select
          id={statusId}
          name={keys.status}
          value={statusValue}
          onChange={(e) => apply(value, e.target.value)}
          className="min-h-10 rounded-md border border-slate-300 bg-white px-2 py-2 text-sm shadow-xs"
        >
          {statusOptions.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className={buttonClass("secondary")}>
        Search
      </button>
      {filtered && (
        <a
          href={hrefWith({ [keys.q]: null, [keys.status]: null, [keys.page]: null })}
          onClick={(e) => {
            if (isModifiedClick(e)) return;
            e.preventDefault();
            setValue("");
            apply("", "all");
          }}
          className="inline-flex min-h-10 items-center px-2 text-sm font-medium text-indigo-700 underline"
        >
          Clear filters
        </a>
      )}
    </form>
  );
}
