import Form from "next/form";
import Link from "next/link";
import { CATEGORY_LABELS, EVENT_CATALOGUE, EVENT_CATEGORIES, eventTypesIn } from "@/lib/domain/events/catalogue";
import { EVENT_SOURCES, SOURCE_LABELS, TIME_RANGES, TIME_RANGE_LABELS } from "@/lib/domain/events/filters";
import type { PrincipalOptions } from "@/lib/domain/events/principal-options";
import type { EventsQuery } from "@/lib/validation/events";
import type { ActiveFilter } from "@/lib/domain/events/describe-filters";
import { SubmitButton } from "@/components/ui/button";
import { buttonClass } from "@/components/ui/button-styles";
import { PrincipalPicker } from "./principal-picker";

const field = "flex min-w-0 flex-col gap-1 text-sm";
const control = "w-full min-w-0 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

/**
 * The audit log's filters, behind a bar that names the ones in force ("Done by: Ada Admin"), so the log
 * comes first. A GET form: the URL holds them (bookmark, share, back/forward), it works without
 * JavaScript, and with it navigates in place showing "Filtering…" meanwhile. The page drops the
 * fields left empty from the URL.
 */
export function ActivityFilters({
  query,
  principals,
  action,
  active,
  credentialText,
  open = false,
}: {
  query: EventsQuery;
  principals: PrincipalOptions;
  action: string;
  active: ActiveFilter[];
  credentialText: string;
  /** Open the bar (a filter needs fixing). */
  open?: boolean;
}) {
  return (
    <details className="group rounded-lg border border-slate-200 bg-white shadow-xs" data-testid="activity-filter-bar" open={open}>
      <summary className="flex cursor-pointer list-none flex-wrap items-center gap-2 px-4 py-2.5 text-sm [&::-webkit-details-marker]:hidden">
        <span className="font-semibold text-slate-900">Filters</span>
        {active.length === 0 ? (
          <span className="text-slate-500">none: every event</span>
        ) : (
          <ul className="contents" aria-label="Filters in force">
            {active.map((f) => (
              <li key={f.key} className="min-w-0 rounded-full bg-indigo-50 px-2 py-0.5 text-xs text-indigo-900 ring-1 ring-indigo-600/20 ring-inset [overflow-wrap:anywhere]" data-testid="active-filter">
                {f.label}: <span className="font-medium">{f.value}</span>
              </li>
            ))}
          </ul>
        )}
        <span className="ml-auto font-medium text-indigo-700" aria-hidden="true">
          <span className="group-open:hidden">{active.length > 0 ? "Change" : "Show"}</span>
          <span className="hidden group-open:inline">Hide</span>
        </span>
      </summary>
      <div className="border-t border-slate-200 px-4 py-4">
        <FilterForm query={query} principals={principals} action={action} credentialText={credentialText} />
      </div>
    </details>
  );
}

function FilterForm({ query, principals, action, credentialText }: { query: EventsQuery; principals: PrincipalOptions; action: string; credentialText: string }) {
  return (
    <Form action={action} className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-4" data-testid="activity-filters" aria-label="Filter activity">
      <PrincipalPicker label="Done by" name="principal" defaultValue={query.principal ?? ""} anyLabel="Anyone" initial={principals} fieldClassName={field} className={control} />
      <PrincipalPicker
        label="Concerning bot"
        name="bot"
        defaultValue={query.bot ?? ""}
        anyLabel="Any bot or none"
        botsOnly
        initial={principals}
        fieldClassName={field}
        className={control}
      />
      <label className={field}>
        <span className="font-medium text-slate-700">Category</span>
        <select name="category" defaultValue={query.category ?? ""} className={control}>
          <option value="">All categories</option>
          {EVENT_CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {CATEGORY_LABELS[c]}
            </option>
          ))}
        </select>
      </label>
      <label className={field}>
        <span className="font-medium text-slate-700">Event type</span>
        <select name="type" defaultValue={query.type ?? ""} className={control}>
          <option value="">All types</option>
          {EVENT_CATEGORIES.map((c) => (
            <optgroup key={c} label={CATEGORY_LABELS[c]}>
              {eventTypesIn(c).map((t) => (
                <option key={t} value={t}>
                  {EVENT_CATALOGUE[t].label}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </label>
      <label className={field}>
        <span className="font-medium text-slate-700">Source</span>
        <select name="source" defaultValue={query.source ?? ""} className={control}>
          <option value="">Any source</option>
          {EVENT_SOURCES.map((s) => (
            <option key={s} value={s}>
              {SOURCE_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <label className={field}>
        <span className="font-medium text-slate-700">Time</span>
        <select name="range" defaultValue={query.range} className={control}>
          {TIME_RANGES.map((r) => (
            <option key={r} value={r}>
              {TIME_RANGE_LABELS[r]}
            </option>
          ))}
        </select>
      </label>
      <label className={field}>
        <span className="font-medium text-slate-700">From (UTC day)</span>
        <input type="date" name="from" defaultValue={query.range === "custom" ? query.from?.slice(0, 10) : undefined} className={control} />
      </label>
      <label className={field}>
        <span className="font-medium text-slate-700">To (UTC day, inclusive)</span>
        <input type="date" name="to" defaultValue={query.range === "custom" ? query.to?.slice(0, 10) : undefined} className={control} />
      </label>
      <label className={`${field} sm:col-span-2`}>
        <span className="font-medium text-slate-700">Credential</span>
        <input
          type="text"
          name="credential"
          defaultValue={credentialText}
          placeholder="bdak_…ZCZG, SHA256:… or its id"
          spellCheck={false}
          autoComplete="off"
          maxLength={64}
          className={`${control} font-mono`}
        />
        <span className="text-xs text-slate-500">As tables show it (bdak_…ZCZG, an SSH key&apos;s SHA256:… fingerprint) or its id: events done with it, or about it.</span>
      </label>
      <div className="flex flex-wrap items-center gap-2 sm:col-span-2 lg:col-span-4">
        <SubmitButton pendingLabel="Filtering…" size="sm">
          Apply filters
        </SubmitButton>
        <Link href={action} className={buttonClass("ghost", "", "sm")}>
          Clear filters
        </Link>
      </div>
    </Form>
  );
}
