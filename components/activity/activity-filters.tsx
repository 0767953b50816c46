import Form from "next/form";
import Link from "next/link";
import { CATEGORY_LABELS, EVENT_CATALOGUE, EVENT_CATEGORIES, eventTypesIn } from "@/lib/domain/events/catalogue";
import { EVENT_SOURCES, SOURCE_LABELS, TIME_RANGES, TIME_RANGE_LABELS } from "@/lib/domain/events/filters";
import type { PrincipalOptions } from "@/lib/domain/events/principal-options";
import type { EventsQuery } from "@/lib/validation/events";
import { SubmitButton } from "@/components/ui/button";
import { buttonClass } from "@/components/ui/button-styles";
import { PrincipalPicker } from "./principal-picker";

const field = "flex min-w-0 flex-col gap-1 text-sm";
const control = "w-full min-w-0 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm";

/**
 * The audit log's filters, as a GET form: the URL holds them (bookmark, share,
 * back/forward), it works without JavaScript, and with it navigates in place
 * showing "Filtering…" meanwhile.
 */
export function ActivityFilters({ query, principals, action }: { query: EventsQuery; principals: PrincipalOptions; action: string }) {
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
        <span className="font-medium text-slate-700">Credential (id)</span>
        <input
          type="text"
          name="credential"
          defaultValue={query.credential ?? ""}
          placeholder="ak_…, cr_… or sshcr_…"
          spellCheck={false}
          autoComplete="off"
          maxLength={64}
          className={`${control} font-mono`}
        />
        <span className="text-xs text-slate-500">Events done with this credential, or about it.</span>
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
