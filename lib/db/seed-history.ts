import { recordEvent, type EventInput } from "../domain/events/record-event";
import { recordUsage, type UsageIncrement } from "../domain/usage/record-usage";
import { sessionSubjectName } from "../domain/agent-sessions/session-view";
import { issueSecret, maskedSecret } from "../domain/credentials/token-format";
import { credentialSubjectName } from "../domain/credentials/credential-view";
import { newId } from "../ids";
import type { Prisma } from "./generated/client";

type Tx = Prisma.TransactionClient;
interface Who {
  id: string;
  name: string;
}
const DAY = 24 * 60 * 60_000;

/** A small deterministic generator: the same demo every time. */
function random(seed: number) {
  let x = seed;
  return (lo: number, hi: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return lo + Math.floor((x / 2147483648) * (hi - lo + 1));
  };
}

/**
 * The demo's history, true to what the app records: the owner creates each
 * bot's credentials (credential.created, before any use); only bots owning a
 * credential use the API or run agents, with it, after it was made; API calls
 * are metered per day (reads are usage, not events; a write is the event its
 * domain function records: ci-deployer stamps each deploy into its own key's
 * metadata, `PATCH /api_keys/{id}` → credential.updated, source api);
 * every agent session is a tunnel_sessions row with its endpoint, its started /
 * bound / ended events and its usage. Events are recorded in time order, so
 * each principal's last activity is its latest event. Also a member's
 * authtoken that was never used and a canary authtoken expiring in 5 days, for
 * the Overview's insights. A few hundred statements: well under a second.
 */
export async function seedHistory(
  tx: Tx,
  d: { accountId: string; now: number; admin: Who; member: Who; ci: Who & { createdMinutesAgo: number }; edge: Who & { createdMinutesAgo: number }; billing: Who & { createdMinutesAgo: number } },
): Promise<void> {
  const { accountId, now } = d;
  const rnd = random(20261128);
  const events: EventInput[] = [];
  const usage: UsageIncrement[] = [];
  const sessions: Prisma.TunnelSessionCreateManyInput[] = [];
  const endpoints: Prisma.TunnelEndpointCreateManyInput[] = [];

  async function credential(owner: Who & { kind: "bot" | "person" }, kind: "api_key" | "authtoken", at: number, description: string, expiresAt: Date | null = null) {
    const id = newId(kind === "api_key" ? "apiKey" : "authtoken", at);
    const secret = issueSecret(kind, id);
    await tx.credential.create({
      data: { id, accountId, kind, ownerId: owner.id, description, secretHash: secret.hash, secretHint: secret.hint, createdById: d.admin.id, createdAt: new Date(at), expiresAt },
    });
    const display = maskedSecret(kind, secret.hint);
    events.push({
      accountId, type: "credential.created", principalId: d.admin.id, source: "dashboard", ip: "192.0.2.1",
      subject: { id, name: credentialSubjectName({ kind, display, description }) },
      botId: owner.kind === "bot" ? owner.id : null,
      data: { kind, owner: { id: owner.id, name: owner.name, kind: owner.kind }, expiresAt: expiresAt?.toISOString() ?? null, after: { description, metadata: "", acl: [], expiresAt: expiresAt?.toISOString() ?? null } },
      createdAt: new Date(at),
    });
    return { id, display, at, kind, description, owner };
  }

  const created = (b: { createdMinutesAgo: number }) => now - b.createdMinutesAgo * 60_000;
  const ciKey = await credential({ ...d.ci, kind: "bot" }, "api_key", created(d.ci) + 10 * 60_000, "GitHub Actions deploys");
  const edgeToken = await credential({ ...d.edge, kind: "bot" }, "authtoken", created(d.edge) + 15 * 60_000, "prod edge nodes");
  await credential({ ...d.edge, kind: "bot" }, "authtoken", now - 3 * DAY, "canary (temporary)", new Date(now + 5 * DAY));
  const billingKey = await credential({ ...d.billing, kind: "bot" }, "api_key", created(d.billing) + 5 * 60_000, "nightly billing export");
  await credential({ ...d.member, kind: "person" }, "authtoken", now - 20 * DAY, "Max's laptop");

  // API reads all day (usage, no events), from each bot's key.
  const lastUse = new Map<string, { at: number; ip: string }>();
  const apiDays = (bot: Who, key: { id: string; at: number }, ip: string, perDay: [number, number]) => {
    for (let t = key.at + 30 * 60_000; t < now; t += DAY) {
      const dayEnd = Math.min(now, t + DAY - 60 * 60_000);
      usage.push({ accountId, principalId: bot.id, day: new Date(t), apiRequests: rnd(perDay[0], perDay[1]) });
      lastUse.set(key.id, { at: Math.max(lastUse.get(key.id)?.at ?? 0, Math.min(dayEnd, now - 60_000)), ip });
    }
  };
  apiDays(d.ci, ciKey, "192.0.2.10", [120, 420]);
  apiDays(d.billing, billingKey, "198.51.100.7", [30, 90]);

  // ci-deployer: a deploy or two a day, each recorded in its own key's metadata through the API
  // (PATCH /api_keys/{id}, what updateCredential records), with that key, after its reads began.
  let metadata = "";
  const deploys: number[] = [];
  for (let t = ciKey.at + 60 * 60_000; t < now - 60 * 60_000; t += DAY) {
    for (let i = 0, n = rnd(1, 2); i < n; i++) deploys.push(Math.min(now - 2 * 60_000, t + rnd(0, 20 * 60) * 60_000));
  }
  deploys.sort((a, b) => a - b);
  const ciOwner = { id: d.ci.id, name: d.ci.name, kind: "bot" as const };
  const ciSubject = { id: ciKey.id, name: credentialSubjectName({ kind: "api_key", display: ciKey.display, description: ciKey.description }) };
  for (const at of deploys) {
    const next = `last deploy: ${rnd(0, 0xfffffff).toString(16).padStart(7, "0")} (main)`;
    events.push({
      accountId, type: "credential.updated", principalId: d.ci.id, source: "api", ip: "192.0.2.10", userAgent: "botdesk-deploy/1.4 (GitHub Actions)",
      credential: ciKey, subject: ciSubject, botId: d.ci.id,
      data: { kind: "api_key", owner: ciOwner, before: { metadata }, after: { metadata: next } },
      createdAt: new Date(at),
    });
    metadata = next;
    lastUse.set(ciKey.id, { at: Math.max(lastUse.get(ciKey.id)!.at, at), ip: "192.0.2.10" });
  }
  await tx.credential.update({ where: { id: ciKey.id }, data: { metadata } });

  // edge-agent-prod: one or two agent sessions a day with its authtoken, each binding one endpoint.
  for (let t = edgeToken.at + 60 * 60_000; t < now - 2 * 60 * 60_000; t += DAY) {
    for (let s = 0, n = rnd(1, 2); s < n; s++) {
      const start = t + s * 6 * 60 * 60_000 + rnd(0, 60) * 60_000;
      const end = Math.min(now - 5 * 60_000, start + rnd(2, 5) * 60 * 60_000);
      if (end <= start) continue;
      const id = newId("tunnelSession", start);
      const endpointId = newId("endpoint", start + 1000);
      const bytesIn = rnd(20, 400) * 1_000_000;
      const bytesOut = rnd(50, 900) * 1_000_000;
      const requests = rnd(500, 5000);
      const subject = { id, name: sessionSubjectName({ transport: "ngrok/v2", os: "linux", arch: "amd64" }) };
      const url = "https://edge-agent-prod.botdesk.local";
      sessions.push({
        id, accountId, principalId: d.edge.id, credentialId: edgeToken.id, credentialDisplay: edgeToken.display, transport: "ngrok/v2", ip: "203.0.113.24",
        agentVersion: "3.19.0", os: "linux", arch: "amd64", startedAt: new Date(start), lastHeartbeatAt: new Date(end),
        bytesIn, bytesOut, requests, endedAt: new Date(end), endReason: "agent_closed",
      });
      endpoints.push({ id: endpointId, sessionId: id, accountId, principalId: d.edge.id, url, hostname: "edge-agent-prod.botdesk.local", createdAt: new Date(start + 1000), endedAt: new Date(end) });
      const base = { accountId, principalId: d.edge.id, source: "agent" as const, ip: "203.0.113.24", credential: edgeToken, subject };
      events.push({ ...base, type: "agent.session_started", data: { agentVersion: "3.19.0", os: "linux", arch: "amd64", region: "local", transport: "ngrok/v2" }, createdAt: new Date(start) });
      events.push({ ...base, type: "agent.endpoint_bound", data: { endpointId, url, labels: {} }, createdAt: new Date(start + 1000) });
      events.push({ ...base, type: "agent.session_ended", data: { reason: "agent_closed", durationSeconds: Math.round((end - start) / 1000), bytesIn, bytesOut, requests }, createdAt: new Date(end) });
      usage.push({ accountId, principalId: d.edge.id, day: new Date(start), sessions: 1, endpoints: 1, bytesIn, bytesOut, tunnelRequests: requests });
      lastUse.set(edgeToken.id, { at: end, ip: "203.0.113.24" });
    }
  }

  if (sessions.length) await tx.tunnelSession.createMany({ data: sessions });
  if (endpoints.length) await tx.tunnelEndpoint.createMany({ data: endpoints });
  for (const u of usage) await recordUsage(tx, u);
  events.sort((a, b) => a.createdAt!.getTime() - b.createdAt!.getTime());
  for (const e of events) await recordEvent(tx, e);
  // An accepted credential marks its owner active too (markCredentialUsed): reads leave no event, so take the later of the two.
  for (const [id, use] of lastUse) {
    const { ownerId } = await tx.credential.update({ where: { id }, data: { lastUsedAt: new Date(use.at), lastUsedIp: use.ip }, select: { ownerId: true } });
    await tx.$executeRaw`UPDATE principals SET last_activity_at = GREATEST(last_activity_at, ${new Date(use.at)}) WHERE id = ${ownerId}`;
  }
}
