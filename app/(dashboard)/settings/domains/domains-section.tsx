"use client";

import Link from "next/link";
import { useActionState, useEffect, useState } from "react";
import { callAction } from "@/components/call-action";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { Timestamp } from "@/components/timestamp";
import { Alert } from "@/components/ui/alert";
import { Button, SubmitButton } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import type { ReservedDomainView } from "@/lib/domain/domains/reserved-domain-view";
import { DOMAIN_LABEL_MAX_BYTES, DOMAIN_NAME_MAX_BYTES } from "@/lib/validation/domain-name";
import { DESCRIPTION_MAX_BYTES } from "@/lib/validation/limits";
import { deleteReservedDomainAction, reserveDomainAction, type ReserveDomainFormState } from "./actions";

/** One page of the table, as the server read it. */
export interface DomainsPage {
  rows: ReservedDomainView[];
  total: number;
  page: number;
  size: number;
  pageCount: number;
}

/** The owner's and admin's form: a name (exact or wildcard) and a description; each refusal under its field. */
export function ReserveDomainForm({ tunnelDomain }: { tunnelDomain: string }) {
  const toast = useToast();
  // The server action itself, so the form works before hydration too (progressive enhancement).
  const [state, formAction] = useActionState<ReserveDomainFormState, FormData>(reserveDomainAction, { values: { domain: "", description: "" }, result: null });
  const reserved = state.result?.ok ? state.result.data : null;
  useEffect(() => {
    if (reserved) toast.success(`Reserved ${reserved.domain}.`);
  }, [reserved, toast]);
  const failure = state.result && !state.result.ok ? state.result : null;
  const errors = failure?.fieldErrors ?? {};
  // A new key after each answer: the fields show what the state holds (emptied after a success).
  const key = `${state.result?.ok ? (state.result.data.id ?? "") : "x"}:${state.values.domain}:${state.values.description}`;
  return (
    <form action={formAction} key={key} className="flex flex-col gap-4" noValidate data-testid="reserve-domain-form">
      {failure && !errors.domain && !errors.description && <Alert data-testid="reserve-domain-error">{failure.message}</Alert>}
      <div className="grid gap-4 md:grid-cols-2">
        <Field
          label="Domain"
          name="domain"
          defaultValue={state.values.domain}
          error={errors.domain}
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="none"
          inputMode="url"
          maxLength={DOMAIN_NAME_MAX_BYTES + 1}
          placeholder="app.example.com"
          hint={
            <>
              An exact name, or <code>*.</code> and a name for every name under it. At most {DOMAIN_NAME_MAX_BYTES} characters, each part at most{" "}
              {DOMAIN_LABEL_MAX_BYTES}. Names under {tunnelDomain} can be reserved too.
            </>
          }
        />
        <Field
          label="Description (optional)"
          name="description"
          defaultValue={state.values.description}
          error={errors.description}
          autoComplete="off"
          hint={`What it is for, up to ${DESCRIPTION_MAX_BYTES} bytes.`}
        />
      </div>
      <div>
        <SubmitButton pendingLabel="Reserving…">Reserve domain</SubmitButton>
      </div>
    </form>
  );
}

/**
 * The account's reserved domains, newest first, a page at a time (`?dpage=`); owners and admins
 * may delete each after a confirmation. A plain table, not the shared DataTable: this page has
 * no sorting, filtering or selection, and TanStack Table would cost it 14 kB of first-load JS.
 * Below the sm breakpoint each row is a card (the name, then the labelled facts and the button).
 */
export function DomainsSection({ page, manage }: { page: DomainsPage; manage: boolean }) {
  const [deleting, setDeleting] = useState<ReservedDomainView | null>(null);
  const first = page.total === 0 ? 0 : (page.page - 1) * page.size + 1;
  const last = Math.min(page.total, (page.page - 1) * page.size + page.rows.length);
  const pageHref = (n: number) => (n <= 1 ? "/settings/domains" : `/settings/domains?dpage=${n}`);
  return (
    <div className="flex flex-col gap-4">
      <div>
        <h2 id="domains-heading" className="text-lg font-semibold">
          Reserved domains
        </h2>
        <p className="text-sm text-slate-600">Newest first. Every reservation and deletion is recorded in the activity log.</p>
      </div>
      {page.total === 0 ? (
        <div data-testid="domains-table-empty" className="rounded-lg border border-dashed border-slate-300 px-4 py-8 text-center text-sm text-slate-600">
          {manage ? (
            <p>No domains reserved yet. Reserve one above so this account&apos;s agents can bind its hostnames.</p>
          ) : (
            <p>No domains reserved yet. An owner or admin can reserve one; until then agents get random names.</p>
          )}
        </div>
      ) : (
        <>
          <div role="region" aria-label="Reserved domains" tabIndex={-1} className="relative -mx-5 overflow-x-auto border-y border-slate-200 sm:mx-0 sm:rounded-lg sm:border-x">
            <table data-testid="domains-table" className="w-full text-left text-sm max-sm:block">
              <caption className="sr-only">Reserved domains</caption>
              <thead className="bg-slate-50 text-xs font-medium tracking-wide text-slate-600 uppercase max-sm:hidden">
                <tr>
                  <th scope="col" className="px-3 py-2.5">Domain</th>
                  <th scope="col" className="px-3 py-2.5">Description</th>
                  <th scope="col" className="px-3 py-2.5">Reserved</th>
                  {manage && (
                    <th scope="col" className="w-0 px-3 py-2.5">
                      <span className="sr-only">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 max-sm:block">
                {page.rows.map((d) => (
                  <tr key={d.id} data-row-id={d.id} className="hover:bg-slate-50 max-sm:flex max-sm:flex-wrap max-sm:items-center max-sm:gap-x-4 max-sm:gap-y-1.5 max-sm:px-4 max-sm:py-3">
                    <td className="min-w-44 px-3 py-2.5 font-mono [overflow-wrap:anywhere] max-sm:basis-full max-sm:p-0 max-sm:text-base" data-testid="domain-name">
                      {d.domain}
                    </td>
                    <td data-label="Description" className={`max-w-sm px-3 py-2.5 break-words ${CARD_FACT}`}>
                      {d.description ? <bdi>{d.description}</bdi> : <span className="text-slate-500">None</span>}
                    </td>
                    <td data-label="Reserved" className={`px-3 py-2.5 whitespace-nowrap ${CARD_FACT}`}>
                      <Timestamp at={d.createdAt} />
                    </td>
                    {manage && (
                      <td className="w-0 px-3 py-2.5 text-right whitespace-nowrap max-sm:basis-full max-sm:p-0 max-sm:text-left">
                        <Button variant="secondary" size="sm" onClick={() => setDeleting(d)} aria-label={`Delete ${d.domain}`}>
                          Delete
                        </Button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav aria-label="Reserved domains pages" className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2 text-sm text-slate-600">
            <p data-testid="domains-table-range">
              {first}–{last} of {page.total} {page.total === 1 ? "domain" : "domains"}
            </p>
            {page.pageCount > 1 && (
              <div className="flex items-center gap-2">
                <PageLink label="Previous" href={pageHref(page.page - 1)} enabled={page.page > 1} />
                <span aria-live="polite">
                  Page {page.page} of {page.pageCount}
                </span>
                <PageLink label="Next" href={pageHref(page.page + 1)} enabled={page.page < page.pageCount} />
              </div>
            )}
          </nav>
        </>
      )}
      {manage && <DeleteDomainDialog domain={deleting} onClose={() => setDeleting(null)} />}
    </div>
  );
}

/** A fact's cell, labelled by its header in the phone-width card. */
const CARD_FACT = "max-sm:p-0 max-sm:text-xs max-sm:before:mr-1 max-sm:before:text-slate-500 max-sm:before:content-[attr(data-label)':']";

function PageLink({ label, href, enabled }: { label: string; href: string; enabled: boolean }) {
  const className = "inline-flex min-h-9 items-center rounded-md border border-slate-300 bg-white px-3 py-1 font-medium";
  if (!enabled) {
    return (
      <span aria-disabled="true" className={`${className} cursor-not-allowed text-slate-400`}>
        {label}
      </span>
    );
  }
  return (
    <Link href={href} className={`${className} text-slate-800 hover:bg-slate-50`}>
      {label}
    </Link>
  );
}

function DeleteDomainDialog({ domain, onClose }: { domain: ReservedDomainView | null; onClose: () => void }) {
  const toast = useToast();
  return (
    <ConfirmDialog
      open={domain !== null}
      onClose={onClose}
      testId="delete-domain-dialog"
      title={domain ? `Delete ${domain.domain}?` : "Delete domain?"}
      confirmLabel="Delete domain"
      pendingLabel="Deleting…"
      onConfirm={async () => {
        if (!domain) return { ok: true };
        const result = await callAction(() => deleteReservedDomainAction({ id: domain.id }));
        if (!result.ok) return { ok: false, message: result.message };
        toast.success(`Deleted ${result.data.domain}.`);
        return { ok: true };
      }}
    >
      <p>
        This account&apos;s agents can no longer bind new hostnames {domain?.domain.startsWith("*.") ? "under it" : "on it"}, and any other account
        may reserve it. Endpoints online now stay online until their sessions end.
      </p>
    </ConfirmDialog>
  );
}
