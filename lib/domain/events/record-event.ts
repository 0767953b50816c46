import { countEventRecorded } from "@/lib/server/metrics-hooks";
import type { Actor } from "@/lib/domain/access/types";
import { markStandingChecked, requiredRoleRank, roleRankSql, standingCheckSql, standingLoss, StandingLost } from "@/lib/domain/access/actor-transaction";
import type { Standing } from "@/lib/domain/principals/active-in-account";
import type { Prisma } from "@/lib/db/generated/client";
import { newId } from "@/lib/ids";
import { streamTypeOf } from "@/lib/domain/event-streams/stream-types";
import type { EventType } from "./catalogue";

export type EventSource = "dashboard" | "api" | "agent" | "system";

export type SubjectKind = "bot" | "person" | "credential" | "account" | "domain";

const KIND_OF_PREFIX: Record<string, SubjectKind> = { bot: "bot", usr: "person", ac: "account", cr: "credential", ak: "credential", sshcr: "credential", rd: "domain" };

/** What an id names, from its prefix (`bot_…`, `usr_…`, `ak_…`). */
export function kindOfId(id: string): SubjectKind | null {
  return KIND_OF_PREFIX[id.slice(0, id.indexOf("_"))] ?? null;
}

export interface EventInput {
  accountId: string;
  /** `resource.verb`, e.g. `bot.created`, `login.refused`: one of the catalogue's types (catalogue.ts). */
  type: EventType;
  /** Who did it (a person or a bot); for `login.refused`, the bot that was refused. */
  principalId: string;
  source: EventSource;
  subject?: { id: string; name: string } | null;
  /**
   * The bot the event concerns when neither the principal nor the subject is
   * that bot: the owner of a credential the event is about. (A bot principal or
   * bot subject is found from the ids.)
   */
  botId?: string | null;
  /** The credential the action was done with (API and agents). */
  credential?: { id: string; display: string } | null;
  ip?: string | null;
  userAgent?: string | null;
  /** What changed or why; never a secret. */
  data?: Prisma.InputJsonObject;
  createdAt?: Date;
  /** False for events the principal did not cause (e.g. a credential expiring): last activity stays. */
  activity?: boolean;
}

type EventWriter = Pick<Prisma.TransactionClient, "$executeRaw" | "$queryRaw">;

/** The bot an event concerns: the bot that acted, else the bot it is about, else the bot owning the credential it is about. */
function botOf(input: EventInput): string | null {
  if (kindOfId(input.principalId) === "bot") return input.principalId;
  if (input.subject && kindOfId(input.subject.id) === "bot") return input.subject.id;
  return input.botId ?? null;
}

/**
 * Records one event. Call it inside the transaction of the change it describes.
 * One statement: the insert, and (unless `activity` is false) the principal's
 * "last activity", which keeps that column cheap to sort on and is written only
 * when it is more than a minute stale, so most events write one row.
 */
export async function recordEvent(tx: EventWriter, input: EventInput): Promise<string> {
  const { id } = await insertEvent(tx, input, null);
  return id;
}

/**
 * THE insert of an event, for recordEvent and recordActorEvent alike (one
 * statement, one text, planned once per connection): the row, the principal's
 * "last activity" (unless `activity` is false, at most once a minute), the
 * event's message for each event destination subscribed to its type (the
 * outbox, lib/domain/event-streams), and the principal's standing in the
 * account and role, read in the same statement.
 * With `minRank` (an actor's event) the row is inserted only while the
 * principal is active in the account with at least that role rank; null
 * inserts it whatever the standing (a refusal recorded against a bot, a
 * session the system ended).
 */
async function insertEvent(tx: EventWriter, input: EventInput, minRank: number | null): Promise<{ id: string; standing: Standing | null; role: string | null; recorded: boolean }> {
  const at = input.createdAt ?? new Date();
  const id = newId("event", at.getTime());
  const staleBefore = new Date(at.getTime() - 60_000);
  const subjectKind = input.subject ? kindOfId(input.subject.id) : null;
  const check = standingCheckSql(input.accountId);
  const streamType = streamTypeOf(input.type, input.data as { kind?: unknown } | undefined);
  const message = JSON.stringify(streamEnvelope(id, streamType, at, subjectKind, input));
  const [row] = await tx.$queryRaw<{ standing: Standing | null; role: string | null; recorded: number }[]>`/* prepared */
    WITH standing AS (
      SELECT ${check.standing} AS standing, ${check.role} AS role FROM principals p WHERE p.id = ${input.principalId}),
    inserted AS (
      INSERT INTO events (id, account_id, type, principal_id, source, subject_id, subject_name, subject_kind, bot_id,
                          credential_id, credential_display, ip, user_agent, data, created_at)
      SELECT ${id}::text, ${input.accountId}::text, ${input.type}::text, ${input.principalId}::text, ${input.source}::text,
             ${input.subject?.id ?? null}::text, ${input.subject?.name ?? null}::text, ${subjectKind}::text, ${botOf(input)}::text,
             ${input.credential?.id ?? null}::text, ${input.credential?.display ?? null}::text, ${input.ip ?? null}::text,
             ${input.userAgent?.slice(0, 512) ?? null}::text, ${JSON.stringify(input.data ?? {})}::jsonb, ${at}::timestamptz
      WHERE ${minRank}::int IS NULL OR EXISTS (SELECT 1 FROM standing WHERE standing.standing = 'active' AND ${roleRankSql} >= ${minRank}::int)
      RETURNING principal_id),
    touched AS (
      UPDATE principals SET last_activity_at = ${at}::timestamptz
      FROM inserted
      WHERE ${input.activity !== false}::boolean AND principals.id = inserted.principal_id
        AND (principals.last_activity_at IS NULL OR principals.last_activity_at < ${staleBefore}::timestamptz)
      RETURNING 1),
    outbox AS (
      INSERT INTO event_deliveries (destination_id, event_id, event_type, payload, created_at, next_attempt_at)
      SELECT DISTINCT ON (sd.destination_id) sd.destination_id, ${id}::text, ${streamType}::text,
             jsonb_set(${message}::jsonb, '{object,principal,name}', to_jsonb((SELECT name FROM principals WHERE id = ${input.principalId}))),
             ${at}::timestamptz, ${at}::timestamptz
      FROM event_subscription_destinations sd JOIN event_subscriptions s ON s.id = sd.subscription_id
      WHERE sd.account_id = ${input.accountId}::text AND ${streamType}::text = ANY(s.sources) AND EXISTS (SELECT 1 FROM inserted)
      RETURNING 1)
    SELECT (SELECT standing FROM standing) AS standing, (SELECT role FROM standing) AS role, (SELECT count(*) FROM inserted)::int AS recorded`;
  if (row?.recorded === 1) countEventRecorded(input.type);
  return { id, standing: row?.standing ?? null, role: row?.role ?? null, recorded: row?.recorded === 1 };
}

/**
 * The message an event streams as (docs/event-streams.md): ngrok's envelope,
 * `object` the event as /api/v1/events shows it plus its `data` (never a
 * secret: the catalogue's rule). The principal's name is filled in by the
 * outbox's insert, only when a destination is subscribed.
 */
export function streamEnvelope(id: string, streamType: string, at: Date, subjectKind: SubjectKind | null, input: EventInput, principalName: string | null = null) {
  return {
    event_id: id,
    event_type: streamType,
    event_timestamp: at.toISOString(),
    object: {
      id,
      type: input.type,
      source: input.source,
      created_at: at.toISOString(),
      principal: { id: input.principalId, kind: kindOfId(input.principalId) === "bot" ? "bot" : "person", name: principalName },
      subject: input.subject ? { ...input.subject, kind: subjectKind } : null,
      bot_id: botOf(input),
      credential: input.credential ?? null,
      ip: input.ip ?? null,
      data: input.data ?? {},
    },
  };
}

type EventActor = Pick<Actor, "account" | "principal" | "role" | "source" | "credential">;

/**
 * Records an event done by an actor — a person in the dashboard, or a person or
 * bot through the API or an agent: the common envelope of every mutation
 * (account, principal, source, credential used, ip, user agent).
 *
 * The same statement reads the actor's standing and role again (actorTransaction
 * holds its standing fence, so this read is after any change that was waiting
 * or committed): when the actor is no longer active in the account, or a
 * person's role changed, nothing is inserted and StandingLost rolls the
 * mutation back. So the check costs no round trip of its own.
 */
export async function recordActorEvent(
  tx: EventWriter,
  actor: EventActor,
  ctx: { ip: string | null; userAgent: string | null },
  event: { type: EventType; subject: { id: string; name: string } | null; botId?: string | null; data?: Prisma.InputJsonObject },
): Promise<string> {
  const input: EventInput = {
    accountId: actor.account.id,
    principalId: actor.principal.id,
    source: actor.source,
    credential: actor.credential,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
    ...event,
  };
  const row = await insertEvent(tx, input, requiredRoleRank(actor));
  if (!row.recorded) {
    throw new StandingLost(standingLoss(actor, row.standing ? { standing: row.standing, role: row.role } : undefined) ?? "deactivated");
  }
  markStandingChecked(tx);
  return row.id;
}
