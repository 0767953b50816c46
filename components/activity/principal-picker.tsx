"use client";

import { useEffect, useId, useRef, useState, useSyncExternalStore } from "react";
import type { PrincipalOption, PrincipalOptions } from "@/lib/domain/events/principal-options";

const noSubscription = () => () => {};
const optionLabel = (p: PrincipalOption) => `${p.name}${p.deleted ? " (deleted)" : ""}`;

/**
 * A filter's "who" select, with the options the page sent (the most recently
 * active people and bots, a bounded list) and, when the account has more, a
 * "find by name" field that loads matching ones on demand from
 * /activity/principals. The select keeps its choice while the options change.
 * Without JavaScript it is a plain select of the page's options (and of the
 * filter's current value, as an id, when that is not among them).
 */
export function PrincipalPicker({
  label,
  name,
  defaultValue,
  anyLabel,
  botsOnly = false,
  initial,
  fieldClassName,
  className,
}: {
  label: string;
  name: string;
  defaultValue: string;
  anyLabel: string;
  botsOnly?: boolean;
  initial: PrincipalOptions;
  fieldClassName: string;
  className: string;
}) {
  const id = useId();
  const onClient = useSyncExternalStore(noSubscription, () => true, () => false);
  const [options, setOptions] = useState(initial);
  const [value, setValue] = useState(defaultValue);
  const [chosen, setChosen] = useState<{ id: string; label: string } | null>(null);
  const [q, setQ] = useState("");
  const [status, setStatus] = useState("");
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const search = (text: string) => {
    setQ(text);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(async () => {
      try {
        const res = await fetch(`/activity/principals?${new URLSearchParams({ q: text.slice(0, 100) })}`, { cache: "no-store" });
        if (!res.ok) return setStatus("Could not search just now.");
        const found = (await res.json()) as PrincipalOptions;
        setOptions(found);
        const n = (botsOnly ? 0 : found.people.length) + found.bots.length;
        setStatus(text.trim() ? (n === 0 ? "No match" : `${n} ${n === 1 ? "match" : "matches"} in the list above`) : "");
      } catch {
        setStatus("Could not search just now.");
      }
    }, 250);
  };

  const people = botsOnly ? [] : options.people;
  const shown = new Set([...people, ...options.bots].map((p) => p.id));
  // The current choice stays selectable when a search no longer lists it (as its name, or its id from a link).
  const keep = value && !shown.has(value) ? (chosen?.id === value ? chosen.label : value) : null;
  const all = [...people, ...options.bots];
  return (
    <div className={fieldClassName}>
      <label htmlFor={`${id}-select`} className="font-medium text-slate-700">
        {label}
      </label>
      <select
        id={`${id}-select`}
        name={name}
        value={value}
        onChange={(e) => {
          setValue(e.target.value);
          const p = all.find((o) => o.id === e.target.value);
          setChosen(p ? { id: p.id, label: optionLabel(p) } : null);
        }}
        className={className}
      >
        <option value="">{anyLabel}</option>
        {keep && <option value={value}>{keep}</option>}
        {people.length > 0 && (
          <optgroup label="People">
            {people.map((p) => (
              <option key={p.id} value={p.id}>
                {optionLabel(p)}
              </option>
            ))}
          </optgroup>
        )}
        {botsOnly ? (
          options.bots.map((p) => (
            <option key={p.id} value={p.id}>
              {optionLabel(p)}
            </option>
          ))
        ) : (
          <optgroup label="Bots">
            {options.bots.map((p) => (
              <option key={p.id} value={p.id}>
                {optionLabel(p)}
              </option>
            ))}
          </optgroup>
        )}
      </select>
      {onClient && initial.more && (
        <input
          type="search"
          value={q}
          onChange={(e) => search(e.target.value)}
          placeholder={botsOnly ? "Find a bot by name…" : "Find a bot or person by name…"}
          aria-label={botsOnly ? "Find a bot by name" : "Find a bot or person by name"}
          maxLength={100}
          autoComplete="off"
          spellCheck={false}
          className={className}
          data-testid={`${name}-search`}
        />
      )}
      <span aria-live="polite" className="text-xs text-slate-500">
        {status || (initial.more ? (onClient ? "Most recently active first; find others by name." : "The most recently active only; each bot's page links to its activity.") : "")}
      </span>
    </div>
  );
}
