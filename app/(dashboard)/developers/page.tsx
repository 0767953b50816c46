import type { Metadata } from "next";
import Link from "next/link";
import { headers } from "next/headers";
import { requireActor } from "@/lib/auth/actor";
import { apiBaseUrlFrom } from "@/lib/api/request";
import { Card } from "@/components/ui/card";
import { Name } from "@/components/name";
import { apiReferenceMarkup, referenceSlug } from "@/components/developers/api-reference-html";

export const metadata: Metadata = { title: "API" };

/**
 * The REST API's reference, read from the OpenAPI document (so it shows what
 * the API enforces), with curl examples against this server's base URL and
 * the signed-in person's key as a placeholder. What is the reader's own (the
 * key's owner, the role) is rendered per request; the reference itself is
 * markup rendered once per process (apiReferenceMarkup), nothing of it ships
 * to the browser but HTML.
 */
export default async function DevelopersPage() {
  const actor = await requireActor();
  const base = apiBaseUrlFrom(await headers());
  const reference = apiReferenceMarkup(base);
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
          Base URL: <code className="break-all font-semibold" data-testid="api-base-url">{base}</code>. Every call needs an API key in{" "}
          <code>Authorization: Bearer</code>; it acts as its owner, <Name name={actor.principal.name} />, with your role ({actor.role}).{" "}
          <Link href="/settings" className="font-medium text-indigo-700 hover:underline" data-testid="create-api-key-link">
            Create an API key in your settings
          </Link>{" "}
          (it is shown once), then:
        </p>
        <pre data-testid="api-quickstart" className="overflow-x-auto whitespace-pre-wrap break-all rounded-md bg-slate-900 p-3 text-xs leading-relaxed text-slate-100">
          <code>{`export BOTDESK_API_KEY=bdak_…   # your key, from /settings\ncurl -s "${base}/bot_users?limit=5" \\\n  -H "Authorization: Bearer $BOTDESK_API_KEY" -H "Ngrok-Version: 2"`}</code>
        </pre>
        <p className="text-sm text-slate-700">
          Lists answer <code>{"{<plural>: [...], uri, next_page_uri}"}</code>, newest first; follow <code>next_page_uri</code> (or pass{" "}
          <code>before_id</code> and <code>limit</code>, 1–100) until it is <code>null</code>. The machine-readable document is{" "}
          <a href="/api/v1/openapi.json" className="font-medium text-indigo-700 hover:underline">
            /api/v1/openapi.json
          </a>{" "}
          (OpenAPI 3.1). <code>/service_users</code> is the same as <code>/bot_users</code>.
        </p>
        <nav aria-label="Resources" className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
          {reference.tags.map((tag) => (
            <a key={tag} href={`#${referenceSlug(tag)}`} className="text-indigo-700 hover:underline">
              {tag}
            </a>
          ))}
          <a href="#errors" className="text-indigo-700 hover:underline">
            Error codes
          </a>
        </nav>
      </Card>
      {/* Each resource's card and the error codes' (the markup is escaped where it is built; styled by .api-reference). */}
      <div className="api-reference contents" dangerouslySetInnerHTML={{ __html: reference.html }} />
    </div>
  );
}
