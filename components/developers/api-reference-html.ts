import { apiReference, type ApiReference, type ReferenceField, type ReferenceOperation } from "@/lib/api/reference";
import { CARD_CLASS } from "@/components/ui/card";

// The API page's reference (every resource's calls and the error codes) holds nothing of the
// account or the reader: it is rendered to markup once per process, as a string, and the page puts
// it in as it is (issue 20: as React elements it was ~400 kB of HTML and React's payload rendered
// on every request). Only the base URL of the curl examples differs by request: it is rendered as
// a placeholder and put in, escaped, per request. Styled by `.api-reference` in app/globals.css
// (plain selectors: the same utility classes on every field were half of its bytes).

const BASE = "__BOTDESK_API_BASE__";

const METHOD_STYLES: Record<string, string> = {
  GET: "bg-sky-100 text-sky-800",
  POST: "bg-emerald-100 text-emerald-800",
  PATCH: "bg-amber-100 text-amber-800",
  DELETE: "bg-rose-100 text-rose-800",
};

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" };
const esc = (s: string | number) => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

/** A resource's anchor (`#bot-users`), shared with the page's links to it. */
export const referenceSlug = (tag: string) => tag.toLowerCase().replace(/[^a-z]+/g, "-");

function fields(title: string, list: ReferenceField[], answer = false): string {
  if (list.length === 0) return "";
  const rows = list.map(
    (f) =>
      `<div><dt><code>${esc(f.name)}</code>` +
      (f.required && !answer ? `<span class="api-required">required</span>` : "") +
      `<span class="api-type">${esc(f.type)}</span></dt>` +
      (f.description ? `<dd>${esc(f.description)}</dd>` : "") +
      `</div>`,
  );
  return `<div><h4>${esc(title)}</h4><dl>${rows.join("")}</dl></div>`;
}

function operation(op: ReferenceOperation, answerShown: boolean): string {
  const answer = !op.answer
    ? ""
    : answerShown
      ? `<p class="api-answered">Answers: ${esc(op.answer.name)} (above)</p>`
      : fields(`Answers: ${op.answer.name}`, op.answer.fields, true);
  const statuses = op.statuses.map((s, i) => `<span>${i > 0 ? " · " : ""}<strong>${esc(s.status)}</strong> ${esc(s.description)}</span>`).join("");
  return (
    `<article data-testid="api-operation" data-operation="${esc(op.id)}">` +
    `<h3><span class="api-method ${METHOD_STYLES[op.method] ?? ""}">${esc(op.method)}</span><code>${esc(op.path)}</code>` +
    (op.summary ? `<span>${esc(op.summary)}</span>` : "") +
    `</h3>${fields("Query and path", op.parameters)}${fields("Body (JSON)", op.body)}${answer}` +
    `<p class="api-statuses">${statuses}</p><pre><code>${esc(op.curl)}</code></pre></article>`
  );
}

function render(reference: ApiReference): string {
  const groups = reference.groups.map((g) => {
    const ops = g.operations.map((op, i) => operation(op, g.operations.slice(0, i).some((o) => o.answer?.name === op.answer?.name)));
    const slug = referenceSlug(g.tag);
    return `<section class="${CARD_CLASS} flex min-w-0 flex-col gap-4" aria-labelledby="${slug}" data-testid="api-resource"><h2 id="${slug}" class="text-lg font-semibold">${esc(g.tag)}</h2>${ops.join("")}</section>`;
  });
  const errors = reference.errors.map(
    (e) =>
      `<div><dt><code>${esc(e.code)}</code> <span class="api-status">${esc(e.status)}</span></dt><dd>${esc(e.meaning)}</dd></div>`,
  );
  return (
    groups.join("") +
    `<section class="${CARD_CLASS} flex min-w-0 flex-col gap-3" aria-labelledby="errors"><h2 id="errors" class="text-lg font-semibold">Error codes</h2>` +
    `<p class="text-sm text-slate-700">Errors answer <code>${esc("{error_code, status_code, msg, details: {operation_id, field?}}")}</code>; validation errors name the field.</p>` +
    `<dl data-testid="api-errors">${errors.join("")}</dl></section>`
  );
}

let cached: { tags: string[]; html: string } | null = null;

/**
 * The reference's resources (for the page's links to them) and its markup with the curl examples
 * against `base` (escaped here): rendered once per process from apiReference, which reads the
 * OpenAPI document, so it shows what the API enforces.
 */
export function apiReferenceMarkup(base: string): { tags: string[]; html: string } {
  if (!cached) {
    const reference = apiReference(BASE);
    cached = { tags: reference.groups.map((g) => g.tag), html: render(reference) };
  }
  return { tags: cached.tags, html: cached.html.replaceAll(BASE, esc(base)) };
}
