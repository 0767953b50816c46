import { Name } from "@/components/name";
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireActor } from "@/lib/auth/actor";
import { getBot } from "@/lib/domain/bots/get-bot";
import { cache } from "react";
import { listEvents } from "@/lib/domain/events/list-events";
import { eventsQueryFromParams, eventsQuerySchema } from "@/lib/validation/events";
import { getDeletedBot } from "@/lib/domain/bots/get-deleted-bot";
import { BotActivity, DeletedBotPage } from "./bot-activity";
import { canManage } from "@/lib/domain/permissions";
import { listOwnedCredentials } from "@/lib/domain/credentials/list-credentials";
import { CredentialsPanel } from "@/components/credentials/credentials-panel";
import { StatusBadge } from "@/components/ui/badge";
import { Card } from "@/components/ui/card";
import { Alert } from "@/components/ui/alert";
import { Timestamp } from "@/components/timestamp";
import { credentialActions } from "@/app/(dashboard)/credentials/credential-actions";
import { BotDetailActions } from "./bot-detail-actions";
import { StopSessionButton } from "./stop-session-button";
import { SessionsPanel } from "@/components/agent-sessions/sessions-panel";
import { listTunnelSessions } from "@/lib/domain/agent-sessions/list-tunnel-sessions";
import { AgentTrustPanel } from "@/components/agent-trust/agent-trust-panel";
import { agentTrust } from "@/lib/tunnels/tls/agent-ca";
import { env } from "@/lib/env";
import { principalMonthUsage } from "@/lib/domain/usage/principal-month";
import { BotUsageCard } from "@/components/usage/bot-usage-card";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

// The metadata and the page both need the bot: read it once per request.
const loadBot = cache(getBot);
const loadDeletedBot = cache(getDeletedBot);

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const actor = await requireActor();
  const bot = await loadBot(actor.account.id, (await params).id);
  if (bot) return { title: `${bot.name} · Bot` };
  const deleted = await loadDeletedBot(actor.account.id, (await params).id);
  return { title: deleted ? `${deleted.name} (deleted) · Bot` : "Bot not found" };
}

export default async function BotPage({ params, searchParams }: Props) {
  const actor = await requireActor();
  const { id } = await params;
  const bot = await loadBot(actor.account.id, id);
  const params_ = await searchParams;
  const paging = eventsQueryFromParams(params_);
  const query = eventsQuerySchema.parse({ bot: id, limit: "20", before: paging.before, after: paging.after });
  if (!bot) {
    // A deleted bot's page is its tombstone: links to it never end in "not found".
    const deleted = await loadDeletedBot(actor.account.id, id);
    if (!deleted) notFound();
    return <DeletedBotPage actor={actor} bot={deleted} page={await listEvents(actor, query)} query={query} />;
  }
  const [page, credentials, sessions, trust, usage] = await Promise.all([
    listEvents(actor, query),
    listOwnedCredentials(actor, bot.id),
    listTunnelSessions(actor, { botId: bot.id, limit: 10 }),
    agentTrust(),
    principalMonthUsage(actor, bot.id),
  ]);
  const manage = canManage(actor);

  return (
    <div className="flex flex-col gap-6">
      <nav aria-label="Breadcrumb" className="text-sm">
        <Link href="/users" className="text-indigo-700 hover:underline">
          Users &amp; bots
        </Link>
        <span aria-hidden="true" className="px-1.5 text-slate-400">
          /
        </span>
        <span className="text-slate-600">Bot</span>
      </nav>

      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="min-w-0 text-2xl font-semibold tracking-tight" data-testid="bot-name">
              <Name name={bot.name} />
            </h1>
            <span data-testid="bot-status">
              <StatusBadge active={bot.active} />
            </span>
          </div>
          <p className="mt-1 text-sm text-slate-700 [overflow-wrap:anywhere]" data-testid="bot-description">
            {bot.description || <span className="text-slate-500">No description.</span>}
          </p>
          <p className="mt-0.5 font-mono text-xs text-slate-500">{bot.id}</p>
        </div>
        {!manage && (
          <p className="max-w-xs text-sm text-slate-600" data-testid="read-only-note">
            Only owners and admins can rename, deactivate or delete bots and manage their credentials.
          </p>
        )}
        {manage && <BotDetailActions details={{ description: bot.description, contact: bot.contact }} bot={{ id: bot.id, name: bot.name, active: bot.active, credentialCount: credentials.length, revokedCredentialCount: bot.revokedCredentialCount }} />}
      </div>

      {params_.created === "1" && (
        <Alert tone="info" data-testid="bot-created-next">
          <strong className="font-semibold">
            Bot <Name name={bot.name} /> created.
          </strong>{" "}
          {credentials.length === 0
            ? "Next, give it a credential: an authtoken for an agent, an API key for a program, or an SSH public key."
            : "It has its first credential."}
        </Alert>
      )}

      <Card aria-labelledby="about-heading">
        <h2 id="about-heading" className="sr-only">
          About this bot
        </h2>
        <dl className="grid gap-4 text-sm sm:grid-cols-2 lg:grid-cols-4">
          <div>
            <dt className="text-slate-500">Status</dt>
            <dd className="mt-0.5 font-medium">
              {bot.active ? "Active: its credentials work" : "Deactivated: its credentials are refused until it is reactivated"}
            </dd>
          </div>
          <div className="min-w-0">
            <dt className="text-slate-500">Contact</dt>
            <dd className="mt-0.5 font-medium [overflow-wrap:anywhere]" data-testid="bot-contact">
              {bot.contact || <span className="font-normal text-slate-500">Nobody named{manage ? ": add the owning team with Edit details" : ""}</span>}
            </dd>
          </div>
          <div>
            <dt className="text-slate-500">Created</dt>
            <dd className="mt-0.5 font-medium" data-testid="bot-created">
              <Timestamp at={bot.createdAt} />
              {bot.createdBy && (
                <>
                  {" "}by <Name name={bot.createdBy.name} />
                </>
              )}
            </dd>
          </div>
          <div>
            <dt className="text-slate-500">Last activity</dt>
            <dd className="mt-0.5 font-medium">
              {bot.lastActivityAt ? <Timestamp at={bot.lastActivityAt} /> : "Never"}
            </dd>
          </div>
        </dl>
      </Card>

      <Card aria-labelledby="credentials-heading" className="min-w-0">
        <CredentialsPanel
          actions={credentialActions}
          ownerId={bot.id}
          ownerName={bot.name}
          credentials={credentials}
          manage={manage}
          firstStep={params_.created === "1"}
        />
      </Card>

      <SessionsPanel
        sessions={sessions.rows}
        hasMore={sessions.hasMore}
        stopButton={canManage(actor) ? (s) => <StopSessionButton sessionId={s.id} endpoint={s.endpoints[0]?.url ?? null} /> : undefined}
      />

      <BotActivity actor={actor} botId={bot.id} page={page} query={query} emptyText="No activity yet. What this bot does, and what is done to it and its credentials, will show up here." />

      <BotUsageCard usage={usage} />

      <AgentTrustPanel trust={trust} agentPort={env.BOTDESK_AGENT_PORT} />
    </div>
  );
}
