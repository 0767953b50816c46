import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/client";
import { recordEvent } from "@/lib/domain/events/record-event";
import { openDestinationSecret } from "@/lib/domain/two-factor/secret-box";
import { readEnv } from "@/lib/env";
import { deliveryUrl, type DestinationKind, type StoredTarget } from "./destination-view";
import { sendMessage, webhookHeaders, type SendOutcome } from "./send-message";

type Tx = Prisma.TransactionClient;

/** Messages one claim of a destination sends at most, and for how long, before letting go of it. */
const BATCH = 50;
const CLAIM_BUDGET_MS = 20_000;

// Read when first needed, not at import: tests set a short base before they deliver.
let configuredBase: number | undefined;
const retryBase = () => (configuredBase ??= readEnv().BOTDESK_DELIVERY_RETRY_BASE_MS);

/** The wait before the next attempt after `attempts` failed ones: doubling from the base, at most 720 × base, with ±25 % jitter. */
export function retryDelayMs(attempts: number, base = retryBase()): number {
  const plain = Math.min(base * 2 ** Math.max(0, attempts - 1), base * 720);
  return Math.round(plain * (0.75 + Math.random() * 0.5));
}

/** How long a message is retried before it is given up: 17,280 × base (a day at the default 5 s). */
export const giveUpAfterMs = (base = retryBase()) => base * 17_280;

interface Claimed {
  id: string;
  account_id: string;
  kind: DestinationKind;
  target: StoredTarget;
  secret_sealed: string;
}

interface Pending {
  event_id: string;
  event_type: string;
  payload: object;
  attempts: number;
  created_at: Date;
  next_attempt_at: Date;
}

/**
 * The delivery worker's pass: while some destination's oldest pending message
 * is due, claims that destination (its row `FOR NO KEY UPDATE SKIP LOCKED`:
 * one instance at a time sends to it, and recording events, which only
 * references the row, is never blocked) and sends its pending messages oldest
 * first, in the claim's transaction: a crash before the commit leaves them
 * pending, so they are sent again, never lost (at least once). A failed
 * attempt stops the destination's queue until its retry is due (exponential
 * backoff with jitter); a message failing for giveUpAfterMs is marked failed,
 * the destination failing, and `event_destination.failing` recorded. A
 * webhook gets one message per request; Datadog's intake gets the due
 * messages of the claim in one request (one log each, oldest first), which
 * succeeds or fails as one. Returns
 * how many messages were delivered.
 */
export async function deliverDueEvents(opts: { maxClaims?: number } = {}): Promise<number> {
  let delivered = 0;
  for (let i = 0; i < (opts.maxClaims ?? 100); i++) {
    const sent = await db().$transaction((tx) => deliverOneDestination(tx), { timeout: CLAIM_BUDGET_MS + 30_000, maxWait: 10_000 });
    if (sent === null) break;
    delivered += sent;
  }
  return delivered;
}

async function deliverOneDestination(tx: Tx): Promise<number | null> {
  const [destination] = await tx.$queryRaw<Claimed[]>`
    WITH heads AS (
      SELECT DISTINCT ON (destination_id) destination_id, next_attempt_at FROM event_deliveries
      WHERE status = 'pending' ORDER BY destination_id, created_at, event_id)
    SELECT d.id, d.account_id, d.kind, d.target, d.secret_sealed
    FROM event_destinations d JOIN heads h ON h.destination_id = d.id
    WHERE h.next_attempt_at <= now()
    ORDER BY h.next_attempt_at
    LIMIT 1
    FOR NO KEY UPDATE OF d SKIP LOCKED`;
  if (!destination) return null;
  // Read after the lock: what another instance sent meanwhile is no longer pending.
  const queue = await tx.$queryRaw<Pending[]>`
    SELECT event_id, event_type, payload, attempts, created_at, next_attempt_at FROM event_deliveries
    WHERE destination_id = ${destination.id} AND status = 'pending'
    ORDER BY created_at, event_id LIMIT ${BATCH}`;
  const secret = openDestinationSecret(destination.secret_sealed, destination.id);
  const started = Date.now();
  let delivered = 0;
  // The messages sent since the last write, recorded together (one statement, not one per message:
  // each is a round trip inside the claim's transaction), before a failure is recorded and at the end.
  let sent: { eventId: string; attempts: number; status: number; latencyMs: number }[] = [];
  const recordSent = async () => {
    if (sent.length === 0) return;
    await tx.$executeRaw`
      UPDATE event_deliveries e SET status = 'delivered', attempts = v.attempts, delivered_at = now(), last_status = v.status,
             last_error = NULL, latency_ms = v.latency_ms
      FROM unnest(${sent.map((m) => m.eventId)}::text[], ${sent.map((m) => m.attempts)}::int[], ${sent.map((m) => m.status)}::int[], ${sent.map((m) => m.latencyMs)}::int[])
           AS v(event_id, attempts, status, latency_ms)
      WHERE e.destination_id = ${destination.id} AND e.event_id = v.event_id`;
    await tx.$executeRaw`UPDATE event_destinations SET failing_since = NULL WHERE id = ${destination.id} AND failing_since IS NOT NULL`;
    sent = [];
  };
  for (let next = 0; next < queue.length; ) {
    if (queue[next]!.next_attempt_at.getTime() > Date.now() || Date.now() - started > CLAIM_BUDGET_MS) break;
    // A webhook gets one message per request; Datadog's intake takes a batch (the due messages, oldest first, within its bounds).
    const batch = destination.kind === "datadog" ? datadogBatch(queue, next) : [queue[next]!];
    next += batch.length;
    const outcome: SendOutcome = secret
      ? await send(destination, secret, batch)
      : { ok: false, status: null, error: "the destination's secret does not decrypt (was AUTH_SECRET changed?)", latencyMs: 0 };
    if (outcome.ok) {
      delivered += batch.length;
      for (const message of batch) sent.push({ eventId: message.event_id, attempts: message.attempts + 1, status: outcome.status!, latencyMs: outcome.latencyMs });
      continue;
    }
    // In order: a success before this failure clears the failing mark, a give-up after it sets it.
    await recordSent();
    let firstGivenUp: { message: Pending; attempts: number } | null = null;
    let allGivenUp = true;
    for (const message of batch) {
      const attempts = message.attempts + 1;
      const givenUp = Date.now() - message.created_at.getTime() >= giveUpAfterMs();
      if (givenUp) firstGivenUp ??= { message, attempts };
      else allGivenUp = false;
      await tx.$executeRaw`
        UPDATE event_deliveries SET status = ${givenUp ? "failed" : "pending"}, attempts = ${attempts},
               next_attempt_at = ${new Date(Date.now() + retryDelayMs(attempts))}, last_status = ${outcome.status},
               last_error = ${outcome.error}, latency_ms = ${outcome.latencyMs}
        WHERE destination_id = ${destination.id} AND event_id = ${message.event_id}`;
    }
    if (firstGivenUp) await markFailing(tx, destination, firstGivenUp.message, firstGivenUp.attempts, outcome);
    // A message still being retried holds the queue back (oldest first); given-up ones let the next go.
    if (!allGivenUp) break;
  }
  await recordSent();
  return delivered;
}

/** Datadog's logs intake takes at most 1,000 logs and 5 MB per request: a batch (at most BATCH logs) stays within both. */
const DATADOG_BATCH_MAX_BYTES = 4 * 1024 * 1024;

/** The due messages from `from` on, oldest first, that fit in one Datadog request (always at least one). */
function datadogBatch(queue: Pending[], from: number): Pending[] {
  const batch: Pending[] = [];
  let bytes = 0;
  for (let i = from; i < queue.length; i++) {
    const message = queue[i]!;
    if (message.next_attempt_at.getTime() > Date.now()) break;
    bytes += JSON.stringify(message.payload).length + 128;
    if (batch.length > 0 && bytes > DATADOG_BATCH_MAX_BYTES) break;
    batch.push(message);
  }
  return batch;
}

function send(destination: Claimed, secret: string, batch: Pending[]): Promise<SendOutcome> {
  const url = deliveryUrl(destination.kind, destination.target);
  if (destination.kind === "webhook") {
    const [message] = batch;
    const envelope = JSON.stringify(message!.payload);
    return sendMessage(url, webhookHeaders(secret, message!.event_id, envelope), envelope);
  }
  const target = destination.target as { ddtags: string; service: string };
  // Datadog's HTTP logs intake: one log per event, the envelope as its message, oldest first.
  const logs = batch.map((m) => ({ ddsource: "botdesk", ddtags: target.ddtags || undefined, service: target.service || undefined, message: JSON.stringify(m.payload) }));
  return sendMessage(url, { "dd-api-key": secret }, JSON.stringify(logs));
}

/** A message given up: the destination is failing from now (a banner for admins), recorded once per failing spell. */
async function markFailing(tx: Tx, destination: Claimed, message: Pending, attempts: number, outcome: SendOutcome): Promise<void> {
  const marked = await tx.$executeRaw`UPDATE event_destinations SET failing_since = now() WHERE id = ${destination.id} AND failing_since IS NULL`;
  if (marked === 0) return;
  const [attributed] = await tx.$queryRaw<{ id: string }[]>`
    SELECT m.principal_id AS id FROM memberships m WHERE m.account_id = ${destination.account_id}
    ORDER BY (m.role = 'owner') DESC, (m.status = 'active') DESC, m.created_at LIMIT 1`;
  if (!attributed) return;
  await recordEvent(tx, {
    accountId: destination.account_id,
    type: "event_destination.failing",
    principalId: attributed.id,
    source: "system",
    subject: { id: destination.id, name: destination.kind },
    data: { eventId: message.event_id, eventType: message.event_type, attempts, lastStatus: outcome.status, lastError: outcome.error },
    activity: false,
  });
}

/** How long sent (and given-up) messages stay in the delivery log. */
export const DELIVERY_LOG_DAYS = 30;

/**
 * Deletes messages delivered or given up more than DELIVERY_LOG_DAYS ago, in
 * batches; pending messages are never deleted here (only with their
 * destination). Returns how many were deleted.
 */
export async function purgeDeliveryLog(batchSize = 5_000): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await db().$executeRaw`
      DELETE FROM event_deliveries WHERE ctid IN (
        SELECT ctid FROM event_deliveries
        WHERE status <> 'pending' AND created_at < now() - make_interval(days => ${DELIVERY_LOG_DAYS}::int)
        LIMIT ${batchSize})`;
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
