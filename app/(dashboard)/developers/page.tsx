import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { requireActor } from "@/lib/auth/actor";
import { apiReference, type ReferenceField, type ReferenceOperation } from "@/lib/api/reference";
import { apiBaseUrlFrom } from "@/lib/api/request";
import { Card } from "@/components/ui/card";
import { Name } from "@/components/name";

export const metadata: Metadata = { title: "API" };

const METHOD_STYLES: Record<string, string> = {
  GET: "bg-sky-100 text-sky-800",
  POST: "bg-emerald-100 text-emerald-800",
  PATCH: "bg-amber-100 text-amber-800",
  DELETE: "bg-rose-100 text-rose-800",
};

function Code({ children, testId }: { children: string; testId?: string }) {
  return (
    <pre data-testid={testId} className="overflow-x-auto whitespace-pre-wrap break-all rounded-md bg-slate-900 p-3 text-xs leading-relaxed text-slate-100">
      <code>{children}</code>
    </pre>
  );
}

function Fields({ title, fields, answer = false }: { title: string; fields: ReferenceField[]; answer?: boolean }) {
  if (fields.length === 0) return null;
  return (
    <div className="min-w-0">
      <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</h4>
      <dl className="mt-1 divide-y divide-slate-100 text-sm">
        {fields.map((f) => (
          <div key={f.name} className="py-1.5 sm:grid sm:grid-cols-[12rem_1fr] sm:gap-3">
            <dt className="min-w-0 break-words">
              <code className="font-semibold text-slate-900">{f.name}</code>
              {f.required && !answer && <span className="ml-1 text-xs text-rose-700">required</span>}
              <span className="block text-xs text-slate-500">{f.type}</span>
            </dt>
            {f.description && <dd className="min-w-0 break-words text-slate-700">{f.description}</dd>}
          </div>
        ))}
      </dl>
    </div>
  );
}

function Operation({ op, answerShown }: { op: ReferenceOperation; answerShown: boolean }) {
  return (
    <article className="flex min-w-0 flex-col gap-3 border-t border-slate-200 pt-4" data-testid="api-operation" data-operation={op.id}>
      <h3 className="flex min-w-0 flex-wrap items-center gap-2">
        <span className={`rounded px-1.5 py-0.5 font-mono text-xs font-semibold ${METHOD_STYLES[op.method] ?? ""}`}>{op.method}</span>
        <code className="min-w-0 break-all text-sm font-semibold">{op.path}</code>
        {op.summary && <span className="text-sm text-slate-600">{op.summary}</span>}
      </h3>
      <Fields title="Query and path" fields={op.parameters} />
      <Fields title="Body (JSON)" fields={op.body} />
      {op.answer &&
        (answerShown ? (
          <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">Answers: {op.answer.name} (above)</p>
        ) : (
          <Fields title={`Answers: ${op.answer.name}`} fields={op.answer.fields} answer />
        ))}
      <p className="text-xs text-slate-600">
        {op.statuses.map((s, i) => (
          <span key={s.status}>
            {i > 0 && " · "}
            <strong>{s.status}</strong> {s.description}
          </span>
        ))}
      </p>
      <Code>{op.curl}</Code>
    </article>
  );
}

/**
 * The REST API's reference, read from the OpenAPI document (so it shows what
 * the API enforces), with curl examples against this server's base URL and
 * the signed-in person's key as a placeholder. A server component: nothing of
 * it ships to the browser but HTML.
 */
export default async function DevelopersPage() {
  const actor = await requireActor();
  const reference = apiReference(apiBaseUrlFrom(await headers()));
  const slug = (tag: string) => tag.toLowerCase().replace(/[^a-z]+/g, "-");
  return (
    <div className="flex min-w-0 flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">API</h1>
        <p className="text-sm text-slate-600">
          Manage bots, credentials and sessions from programs through Botdesk&apos;s REST API, which follows ngrok&apos;s API v2: a program
          written for ngrok&apos;s API works by changing its base URL and key.
        </p>
      </div>
      <Card aria-labelledby="api-start-heading" className="flex min-w-0 flex-col gap-3">
        <h2 id="api-start-heading" className="text-lg font-semibold">
          Start here
        </h2>
        <p className="text-sm text-slate-700">
          Base URL: <code className="break-all font-semibold" data-testid="api-base-url">{reference.base}</code>. Every call needs an API key in{" "}
          <code>Authorization: Bearer</code>; it acts as its owner, <Name name={actor.principal.name} />, with your role ({actor.role}).{" "}
          <Link href="/settings" className="font-medium text-indigo-700 hover:underline" data-testid="create-api-key-link">
            Create an API key in your settings
          </Link>{" "}
          (it is shown once), then:
        </p>
        <Code testId="api-quickstart">{`export BOTDESK_API_KEY=bdak_…   # your key, from /settings\ncurl -s "${reference.base}/bot_users?limit=5" \\\n  -H "Authorization: Bearer $BOTDESK_API_KEY" -H "Ngrok-Version: 2"`}</Code>
        <p className="text-sm text-slate-700">
          Lists answer <code>{"{<plural>: [...], uri, next_page_uri}"}</code>, newest first; follow <code>next_page_uri</code> (or pass{" "}
          <code>before_id</code> and <code>limit</code>, 1–100) until it is <code>null</code>. The machine-readable document is{" "}
          <a href="/api/v1/openapi.json" className="font-medium text-indigo-700 hover:underline">
            /api/v1/openapi.json
          </a>{" "}
          (OpenAPI 3.1). <code>/service_users</code> is the same as <code>/bot_users</code>.
        </p>
        <nav aria-label="Resources" className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          {reference.groups.map((g) => (
            <a key={g.tag} href={`#${slug(g.tag)}`} className="text-indigo-700 hover:underline">
              {g.tag}
            </a>
          ))}
          <a href="#errors" className="text-indigo-700 hover:underline">
            Error codes
          </a>
        </nav>
      </Card>
      {reference.groups.map((g) => (
        <Card key={g.tag} aria-labelledby={slug(g.tag)} className="flex min-w-0 flex-col gap-4" data-testid="api-resource">
          <h2 id={slug(g.tag)} className="text-lg font-semibold">
            {g.tag}
          </h2>
          {g.operations.map((op, i) => (
            <Operation key={`${op.method} ${op.path}`} op={op} answerShown={g.operations.slice(0, i).some((o) => o.answer?.name === op.answer?.name)} />
          ))}
        </Card>
      ))}
      <Card aria-labelledby="errors" className="flex min-w-0 flex-col gap-3">
        <h2 id="errors" className="text-lg font-semibold">
          Error codes
        </h2>
        <p className="text-sm text-slate-700">
          Errors answer <code>{"{error_code, status_code, msg, details: {operation_id, field?}}"}</code>; validation errors name the field.
        </p>
        <dl className="divide-y divide-slate-100 text-sm" data-testid="api-errors">
          {reference.errors.map((e) => (
            <div key={e.code} className="py-1.5 sm:grid sm:grid-cols-[12rem_1fr] sm:gap-3">
              <dt className="break-words">
                <code className="font-semibold">{e.code}</code> <span className="text-xs text-slate-500">{e.status}</span>
              </dt>
              <dd className="text-slate-700">{e.meaning}</dd>
            </div>
          ))}
        </dl>
      </Card>
    </div>
  );
}
