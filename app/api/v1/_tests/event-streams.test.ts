import { spawn } from "node:child_process";
import { lookup } from "node:dns/promises";
import { hostname } from "node:os";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Ngrok } from "@ngrok/ngrok-api";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as destinations from "../event_destinations/route";
import * as destinationItem from "../event_destinations/[id]/route";
import * as subscriptions from "../event_subscriptions/route";
import * as subscriptionItem from "../event_subscriptions/[id]/route";
import * as sources from "../event_subscriptions/[id]/sources/route";
import * as sourceItem from "../event_subscriptions/[id]/sources/[type]/route";
import * as botUsers from "../bot_users/route";
import { apiAccount } from "./client";
import { db } from "@/lib/db/client";
import { createBot } from "@/lib/domain/bots/create-bot";
import { listRecentDeliveries } from "@/lib/domain/event-streams/read-deliveries";
import { countFailingDestinations } from "@/lib/domain/event-streams/read-destinations";
import { redeliver } from "@/lib/domain/event-streams/redeliver";
import { isSafeAddress } from "@/lib/domain/event-streams/safe-address";
import { sendTestEvent } from "@/lib/domain/event-streams/send-test-event";
import { deliverDueEvents, giveUpAfterMs, purgeDeliveryLog } from "@/lib/domain/event-streams/deliver-events";

// Event streams end to end on the real database: ngrok's own client
// (@ngrok/ngrok-api) drives the routes over real HTTP, and a real receiver in
// the allowed loopback range (BOTDESK_DESTINATION_ALLOW, set in the test
// setup) verifies every message's signature with the Standard Webhooks library.

type Handler = (request: Request, context: { params: Promise<never> }) => Promise<Response> | Response;
type Module = Partial<Record<string, Handler>>;
const ROUTES: [RegExp, Module][] = [
  [/^\/api\/v1\/event_destinations$/, destinations],
  [/^\/api\/v1\/event_destinations\/(?<id>[^/]+)$/, destinationItem],
  [/^\/api\/v1\/event_subscriptions$/, subscriptions],
  [/^\/api\/v1\/event_subscriptions\/(?<id>[^/]+)$/, subscriptionItem],
  [/^\/api\/v1\/event_subscriptions\/(?<id>[^/]+)\/sources$/, sources],
  [/^\/api\/v1\/event_subscriptions\/(?<id>[^/]+)\/sources\/(?<type>[^/]+)$/, sourceItem],
  [/^\/api\/v1\/bot_users$/, botUsers],
];

/** The route handlers served over HTTP as Next.js would route them. */
async function serveApi(): Promise<{ base: string; close: () => Promise<void> }> {
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url!, "http://127.0.0.1");
    const route = ROUTES.find(([re]) => re.test(url.pathname));
    const handler = route?.[1][req.method!];
    if (!route || !handler) {
      res.writeHead(404).end();
      return;
    }
    const params = route[0].exec(url.pathname)!.groups ?? {};
    const body = chunks.length ? Buffer.concat(chunks) : undefined;
    const request = new Request(url, { method: req.method, headers: req.headers as Record<string, string>, body: req.method === "GET" ? undefined : body });
    const response = await handler(request, { params: Promise.resolve(params) as Promise<never> });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`, close: () => new Promise((r) => server.close(() => r())) };
}

interface Received {
  id: string;
  body: { event_id: string; event_type: string; event_timestamp: string; object: Record<string, unknown> };
  headers: http.IncomingHttpHeaders;
}

/** A webhook receiver on 127.77.0.x; `answer` decides each reply's status (and a redirect's Location). */
async function receiver(host: string) {
  const state = {
    secret: "",
    received: [] as Received[],
    attempts: 0,
    bad: 0,
    answer: (): { status: number; location?: string } => ({ status: 204 }),
  };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    state.attempts++;
    const reply = state.answer();
    if (reply.status === 0) return; // hold the request: never answered
    if (reply.status < 300) {
      if (state.secret) {
        try {
          new Webhook(state.secret).verify(text, req.headers as Record<string, string>);
        } catch {
          state.bad++;
          res.writeHead(400).end();
          return;
        }
      }
      state.received.push({ id: String(req.headers["webhook-id"]), body: JSON.parse(text), headers: req.headers });
    }
    res.writeHead(reply.status, reply.location ? { location: reply.location } : {}).end();
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const url = `http://${host}:${(server.address() as AddressInfo).port}/hook`;
  return { state, url, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let api: Awaited<ReturnType<typeof serveApi>>;
beforeAll(async () => {
  process.env.BOTDESK_DELIVERY_RETRY_BASE_MS = "20";
  api = await serveApi();
});
afterAll(() => api.close());

const ctx = { ip: "203.0.113.9", userAgent: "test" };
const apiError = (code: string, status: number) => expect.objectContaining({ errorCode: code, statusCode: status });

/** ngrok's client parses a DELETE's empty 204 as JSON and rejects with a SyntaxError after the deletion happened. */
async function deleted(call: Promise<unknown>): Promise<void> {
  await call.then(
    () => undefined,
    (error: unknown) => {
      if (!(error instanceof SyntaxError)) throw error;
    },
  );
}

/** Runs the worker until nothing is due, or `until` holds. */
async function drain(until: () => boolean = () => false, rounds = 200): Promise<void> {
  for (let i = 0; i < rounds && !until(); i++) {
    await deliverDueEvents();
    if (!until()) await new Promise((r) => setTimeout(r, 25));
  }
}

describe("event destinations and subscriptions through ngrok's client", () => {
  it("creates, lists across pages, gets, updates and deletes them; the signing secret is shown once", async () => {
    const a = await apiAccount();
    const ngrok = new Ngrok({ apiToken: a.admin.key.token, baseUrl: api.base });
    const hook = await receiver("127.77.0.10");
    try {
      const created = await ngrok.eventDestinations.create({ format: "json", description: "SIEM", target: { webhook: { url: hook.url } } as never });
      const secret = (created.target as unknown as { webhook: { secret: string } }).webhook.secret;
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
      const stored = await db().eventDestination.findUniqueOrThrow({ where: { id: created.id } });
      expect(JSON.stringify(stored)).not.toContain(secret.slice(6));
      const got = await ngrok.eventDestinations.get(created.id);
      expect(got.target).toEqual(expect.objectContaining({ webhook: { url: hook.url } }));
      const dd = await ngrok.eventDestinations.create({ format: "JSON", target: { datadog: { apiKey: "dd-key-1234", ddsite: "datadoghq.eu", ddtags: "env:test", service: "botdesk" } } });
      expect(dd.target.datadog).toEqual({ apiKey: null, ddsite: "datadoghq.eu", ddtags: "env:test", service: "botdesk" });
      for (let i = 0; i < 3; i++) await ngrok.eventDestinations.create({ format: "json", description: `more ${i}`, target: { webhook: { url: hook.url } } as never });
      const all = await ngrok.eventDestinations.list(undefined, "2");
      expect(all.map((d) => d.id)).toHaveLength(5);
      expect(all[all.length - 1]!.id).toBe(created.id);
      const updated = await ngrok.eventDestinations.update({ id: created.id, description: "SIEM (prod)", metadata: "{}" });
      expect(updated).toEqual(expect.objectContaining({ description: "SIEM (prod)", metadata: "{}" }));
      expect(JSON.stringify(updated)).not.toContain("whsec_");

      const sub = await ngrok.eventSubscriptions.create({ description: "bots", sources: [{ type: "bot_user_created.v0" }], destinationIds: [created.id, dd.id] });
      expect(sub.sources.map((s) => s.type)).toEqual(["bot_user_created.v0"]);
      expect(sub.destinations.map((d) => d.id).sort()).toEqual([created.id, dd.id].sort());
      await ngrok.eventSources.create({ subscriptionId: sub.id, type: "bot_user_deactivated.v0" });
      const listed = await ngrok.eventSources.list({ subscriptionId: sub.id });
      expect(listed.sources.map((s) => s.type)).toEqual(["bot_user_created.v0", "bot_user_deactivated.v0"]);
      expect((await ngrok.eventSources.get({ subscriptionId: sub.id, type: "bot_user_deactivated.v0" })).type).toBe("bot_user_deactivated.v0");
      await deleted(ngrok.eventSources.delete({ subscriptionId: sub.id, type: "bot_user_created.v0" }));
      expect((await ngrok.eventSubscriptions.get(sub.id)).sources.map((s) => s.type)).toEqual(["bot_user_deactivated.v0"]);
      const changed = await ngrok.eventSubscriptions.update({ id: sub.id, destinationIds: [dd.id] });
      expect(changed.destinations.map((d) => d.id)).toEqual([dd.id]);
      expect((await ngrok.eventSubscriptions.list()).map((s) => s.id)).toEqual([sub.id]);
      await expect(ngrok.eventSubscriptions.create({ sources: [{ type: "nope.v0" }], destinationIds: [] })).rejects.toEqual(apiError("ERR_BOTDESK_400", 400));
      await expect(ngrok.eventSubscriptions.create({ sources: [], destinationIds: ["ed_0000000000000000000000"] })).rejects.toEqual(apiError("ERR_BOTDESK_400", 400));

      await deleted(ngrok.eventSubscriptions.delete(sub.id));
      await deleted(ngrok.eventDestinations.delete(created.id));
      await expect(ngrok.eventDestinations.get(created.id)).rejects.toEqual(apiError("ERR_BOTDESK_404", 404));
      const types = (await db().event.findMany({ where: { accountId: a.account.id, type: { startsWith: "event_" } }, select: { type: true, data: true } })).map((e) => e.type);
      expect(types.filter((t) => t === "event_destination.created")).toHaveLength(5);
      expect(types).toEqual(expect.arrayContaining(["event_destination.updated", "event_destination.deleted", "event_subscription.created", "event_subscription.updated", "event_subscription.deleted"]));
      const events = await db().event.findMany({ where: { accountId: a.account.id }, select: { data: true } });
      expect(JSON.stringify(events)).not.toContain(secret.slice(6));
      expect(JSON.stringify(events)).not.toContain("dd-key-1234");
    } finally {
      await hook.close();
    }
  });

  it("refuses a member's and a bot's key, other accounts' ids, and targets Botdesk cannot send to", async () => {
    const a = await apiAccount();
    const b = await apiAccount();
    const admin = new Ngrok({ apiToken: a.admin.key.token, baseUrl: api.base });
    const d = await admin.eventDestinations.create({ format: "json", target: { webhook: { url: "http://127.77.0.11:9/x" } } as never });
    for (const key of [a.member.key.token, a.bot.key.token]) {
      const client = new Ngrok({ apiToken: key, baseUrl: api.base });
      await expect(client.eventDestinations.list()).rejects.toEqual(apiError("ERR_BOTDESK_4115", 403));
      await expect(client.eventDestinations.create({ format: "json", target: { webhook: { url: "https://example.com/" } } as never })).rejects.toEqual(apiError("ERR_BOTDESK_4115", 403));
      await expect(client.eventDestinations.get(d.id)).rejects.toEqual(apiError("ERR_BOTDESK_4115", 403));
      await expect(client.eventSubscriptions.create({ sources: [], destinationIds: [] })).rejects.toEqual(apiError("ERR_BOTDESK_4115", 403));
    }
    const other = new Ngrok({ apiToken: b.owner.key.token, baseUrl: api.base });
    await expect(other.eventDestinations.get(d.id)).rejects.toEqual(apiError("ERR_BOTDESK_404", 404));
    await expect(other.eventSubscriptions.create({ sources: [], destinationIds: [d.id] })).rejects.toEqual(apiError("ERR_BOTDESK_400", 400));
    for (const target of [{ kinesis: { auth: { role: { roleArn: "arn:x" } }, streamArn: "arn:y" } }, { cloudwatchLogs: { auth: {}, logGroupArn: "arn:z" } }]) {
      await expect(admin.eventDestinations.create({ format: "json", target: target as never })).rejects.toEqual(
        expect.objectContaining({ errorCode: "ERR_BOTDESK_400", msg: expect.stringContaining("webhooks and Datadog only") }),
      );
    }
    await expect(admin.eventDestinations.create({ format: "xml", target: { webhook: { url: "https://example.com/" } } as never })).rejects.toEqual(apiError("ERR_BOTDESK_400", 400));
    expect(await db().eventDestination.count({ where: { accountId: a.account.id } })).toBe(1);
  });

  it("refuses URLs that reach loopback, link-local, private or metadata addresses, and plain http outside the allowed range", async () => {
    const a = await apiAccount();
    const admin = new Ngrok({ apiToken: a.admin.key.token, baseUrl: api.base });
    for (const url of [
      "https://127.0.0.1/hook",
      "http://127.0.0.1:8080/hook",
      "https://localhost/hook",
      "https://[::1]/hook",
      "https://[::ffff:127.0.0.1]/hook",
      "https://[::127.0.0.1]/hook",
      "https://2130706433/hook",
      "https://0x7f.1/hook",
      "https://[::ffff:a9fe:a9fe]/latest",
      "http://169.254.169.254/latest/meta-data/",
      "https://10.1.2.3/hook",
      "https://192.168.1.1/hook",
      "https://[fd00:ec2::254]/",
      "http://203.0.113.5/hook",
    ]) {
      await expect(admin.eventDestinations.create({ format: "json", target: { webhook: { url } } as never }), url).rejects.toEqual(
        expect.objectContaining({ errorCode: "ERR_BOTDESK_400", msg: expect.stringMatching(/^target: webhook\.url: /) }),
      );
    }
    // A name other than localhost that resolves to a private address: this machine's own name (in /etc/hosts).
    const own = await lookup(hostname(), { all: true }).catch(() => []);
    if (own.length > 0 && own.every((x) => !isSafeAddress(x.address))) {
      await expect(admin.eventDestinations.create({ format: "json", target: { webhook: { url: `https://${hostname()}/hook` } } as never })).rejects.toEqual(
        expect.objectContaining({ errorCode: "ERR_BOTDESK_400", msg: expect.stringContaining(`${hostname()} resolves to`) }),
      );
    }
    expect(await db().eventDestination.count({ where: { accountId: a.account.id } })).toBe(0);
  });
});

describe("delivery", () => {
  it("sends each subscribed change in order with ngrok's envelope, signed; a failing receiver gets everything once it recovers", async () => {
    const a = await apiAccount();
    const hook = await receiver("127.77.0.12");
    const ngrok = new Ngrok({ apiToken: a.owner.key.token, baseUrl: api.base });
    try {
      const d = await ngrok.eventDestinations.create({ format: "json", target: { webhook: { url: hook.url } } as never });
      hook.state.secret = (d.target as unknown as { webhook: { secret: string } }).webhook.secret;
      await ngrok.eventSubscriptions.create({ sources: [{ type: "bot_user_created.v0" }, { type: "event_destination_updated.v0" }], destinationIds: [d.id] });
      // From the dashboard (the domain function its action calls) and from the API.
      const first = await createBot(a.admin.actor, { name: "stream-one" }, ctx);
      expect(first.ok).toBe(true);
      await ngrok.botUsers.create({ name: "stream-two" });
      await drain(() => hook.state.received.length >= 2);
      expect(hook.state.bad).toBe(0);
      expect(hook.state.received.map((r) => [r.body.event_type, (r.body.object.subject as { name: string }).name])).toEqual([
        ["bot_user_created.v0", "stream-one"],
        ["bot_user_created.v0", "stream-two"],
      ]);
      const [one, two] = hook.state.received;
      expect(one!.body).toEqual({
        event_id: one!.id,
        event_type: "bot_user_created.v0",
        event_timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        object: expect.objectContaining({ type: "bot.created", source: "dashboard", principal: { id: a.admin.principal.id, kind: "person", name: a.admin.principal.name }, ip: "203.0.113.9" }),
      });
      expect(two!.body.object).toEqual(expect.objectContaining({ source: "api", principal: expect.objectContaining({ id: a.owner.principal.id }), credential: expect.objectContaining({ id: a.owner.key.id }) }));

      // The receiver fails for a while: nothing is lost, nothing is sent twice, the order holds.
      hook.state.answer = () => ({ status: 503 });
      for (let i = 0; i < 5; i++) expect((await createBot(a.admin.actor, { name: `down-${i}` }, ctx)).ok).toBe(true);
      await drain(() => hook.state.attempts >= 6, 100);
      expect(hook.state.received).toHaveLength(2);
      hook.state.answer = () => ({ status: 200 });
      await drain(() => hook.state.received.length >= 7);
      expect(hook.state.received.slice(2).map((r) => (r.body.object.subject as { name: string }).name)).toEqual(["down-0", "down-1", "down-2", "down-3", "down-4"]);
      expect(new Set(hook.state.received.map((r) => r.id)).size).toBe(7);
      expect(hook.state.bad).toBe(0);
      const rows = await db().eventDelivery.findMany({ where: { destinationId: d.id } });
      expect(rows.every((r) => r.status === "delivered")).toBe(true);
      expect(rows.find((r) => (r.payload as { object: { subject: { name: string } } }).object.subject.name === "down-0")!.attempts).toBeGreaterThan(1);
    } finally {
      await hook.close();
    }
  });

  it("two workers racing deliver each message once", async () => {
    const a = await apiAccount();
    const hook = await receiver("127.77.0.13");
    const ngrok = new Ngrok({ apiToken: a.owner.key.token, baseUrl: api.base });
    try {
      const d = await ngrok.eventDestinations.create({ format: "json", target: { webhook: { url: hook.url } } as never });
      hook.state.secret = (d.target as unknown as { webhook: { secret: string } }).webhook.secret;
      await ngrok.eventSubscriptions.create({ sources: [{ type: "bot_user_created.v0" }], destinationIds: [d.id] });
      for (let i = 0; i < 30; i++) expect((await createBot(a.admin.actor, { name: `race-${i}` }, ctx)).ok).toBe(true);
      for (let round = 0; round < 20 && hook.state.received.length < 30; round++) await Promise.all([deliverDueEvents(), deliverDueEvents(), deliverDueEvents()]);
      expect(hook.state.received).toHaveLength(30);
      expect(hook.state.attempts).toBe(30);
      expect(hook.state.received.map((r) => (r.body.object.subject as { name: string }).name)).toEqual(Array.from({ length: 30 }, (_, i) => `race-${i}`));
    } finally {
      await hook.close();
    }
  });

  it("a worker killed with kill -9 mid-delivery loses nothing: the message is sent again, once", async () => {
    const a = await apiAccount();
    const hook = await receiver("127.77.0.16");
    const ngrok = new Ngrok({ apiToken: a.owner.key.token, baseUrl: api.base });
    try {
      const d = await ngrok.eventDestinations.create({ format: "json", target: { webhook: { url: hook.url } } as never });
      hook.state.secret = (d.target as unknown as { webhook: { secret: string } }).webhook.secret;
      await ngrok.eventSubscriptions.create({ sources: [{ type: "bot_user_created.v0" }], destinationIds: [d.id] });
      await createBot(a.admin.actor, { name: "survives-kill" }, ctx);
      // The receiver takes the first request and never answers it; the worker is killed while it waits.
      let arrived: () => void = () => {};
      const firstArrived = new Promise<void>((r) => (arrived = r));
      hook.state.answer = () => {
        arrived();
        return { status: 0 };
      };
      const worker = spawn(process.execPath, ["--import", "tsx", "lib/test-support/deliver-events-once.ts"], { env: process.env, stdio: "ignore" });
      await firstArrived;
      worker.kill("SIGKILL");
      await new Promise((r) => worker.once("exit", r));
      const [row] = await db().eventDelivery.findMany({ where: { destinationId: d.id } });
      expect(row).toEqual(expect.objectContaining({ status: "pending", attempts: 0 }));
      hook.state.answer = () => ({ status: 204 });
      await drain(() => hook.state.received.length >= 1);
      expect(hook.state.received.map((r) => (r.body.object.subject as { name: string }).name)).toEqual(["survives-kill"]);
      expect((await db().eventDelivery.findMany({ where: { destinationId: d.id } }))[0]!.status).toBe("delivered");
    } finally {
      await hook.close();
    }
  });

  it("gives a message up after retrying for the whole window: the destination is failing, recorded once, cleared by the next success; the log is trimmed", async () => {
    const a = await apiAccount();
    const hook = await receiver("127.77.0.17");
    const ngrok = new Ngrok({ apiToken: a.owner.key.token, baseUrl: api.base });
    try {
      const d = await ngrok.eventDestinations.create({ format: "json", target: { webhook: { url: hook.url } } as never });
      await ngrok.eventSubscriptions.create({ sources: [{ type: "bot_user_created.v0" }], destinationIds: [d.id] });
      hook.state.answer = () => ({ status: 500 });
      await createBot(a.admin.actor, { name: "given-up" }, ctx);
      await createBot(a.admin.actor, { name: "after-it" }, ctx);
      // The first message has been failing since longer than the window.
      const old = new Date(Date.now() - giveUpAfterMs() - 1000);
      await db().eventDelivery.updateMany({ where: { destinationId: d.id, payload: { path: ["object", "subject", "name"], equals: "given-up" } }, data: { createdAt: old } });
      await deliverDueEvents();
      const rows = await db().eventDelivery.findMany({ where: { destinationId: d.id }, orderBy: { createdAt: "asc" } });
      expect(rows.map((r) => r.status)).toEqual(["failed", "pending"]);
      expect((await db().eventDestination.findUniqueOrThrow({ where: { id: d.id } })).failingSince).not.toBeNull();
      expect(await countFailingDestinations(a.admin.actor)).toBe(1);
      const failing = await db().event.findMany({ where: { accountId: a.account.id, type: "event_destination.failing" } });
      expect(failing).toHaveLength(1);
      expect(failing[0]).toEqual(expect.objectContaining({ source: "system", subjectId: d.id }));
      expect((await ngrok.eventDestinations.get(d.id)) as unknown).toEqual(expect.objectContaining({ failingSince: expect.any(String) }));
      hook.state.answer = () => ({ status: 204 });
      await drain(() => hook.state.received.length >= 1);
      expect((await db().eventDestination.findUniqueOrThrow({ where: { id: d.id } })).failingSince).toBeNull();
      expect(await countFailingDestinations(a.admin.actor)).toBe(0);
      // The log: sent and given-up messages older than 30 days go; pending ones stay whatever their age.
      await db().eventDelivery.updateMany({ where: { destinationId: d.id }, data: { createdAt: new Date(Date.now() - 31 * 86_400_000) } });
      await createBot(a.admin.actor, { name: "still-pending" }, ctx);
      await db().eventDelivery.updateMany({ where: { destinationId: d.id, status: "pending" }, data: { createdAt: new Date(0), nextAttemptAt: new Date(Date.now() + 3_600_000) } });
      expect(await purgeDeliveryLog()).toBeGreaterThanOrEqual(2);
      expect((await db().eventDelivery.findMany({ where: { destinationId: d.id } })).map((r) => r.status)).toEqual(["pending"]);
    } finally {
      await hook.close();
    }
  });

  it("records the messages a claim sent before a failure as delivered (each with its status and latency), the failure as pending; a success then a give-up leaves the destination failing", async () => {
    const a = await apiAccount();
    const hook = await receiver("127.77.0.19");
    const ngrok = new Ngrok({ apiToken: a.owner.key.token, baseUrl: api.base });
    try {
      const d = await ngrok.eventDestinations.create({ format: "json", target: { webhook: { url: hook.url } } as never });
      hook.state.secret = (d.target as unknown as { webhook: { secret: string } }).webhook.secret;
      await ngrok.eventSubscriptions.create({ sources: [{ type: "bot_user_created.v0" }], destinationIds: [d.id] });
      // Three answered 201, then the receiver fails: one claim sends four and records them in order.
      hook.state.answer = () => (hook.state.attempts <= 3 ? { status: 201 } : { status: 503 });
      for (let i = 0; i < 5; i++) expect((await createBot(a.admin.actor, { name: `claim-${i}` }, ctx)).ok).toBe(true);
      expect(await deliverDueEvents({ maxClaims: 1 })).toBe(3);
      const nameOf = (r: { payload: unknown }) => (r.payload as { object: { subject: { name: string } } }).object.subject.name;
      const rows = await db().eventDelivery.findMany({ where: { destinationId: d.id }, orderBy: { createdAt: "asc" } });
      expect(rows.map((r) => [nameOf(r), r.status, r.attempts, r.lastStatus])).toEqual([
        ["claim-0", "delivered", 1, 201],
        ["claim-1", "delivered", 1, 201],
        ["claim-2", "delivered", 1, 201],
        ["claim-3", "pending", 1, 503],
        ["claim-4", "pending", 0, null],
      ]);
      expect(rows.slice(0, 3).every((r) => r.deliveredAt !== null && r.latencyMs !== null && r.lastError === null)).toBe(true);
      expect(rows[3]!.lastError).toBe("HTTP 503");
      // The receiver recovers: the rest arrive once each, in order.
      hook.state.answer = () => ({ status: 204 });
      await db().eventDelivery.updateMany({ where: { destinationId: d.id, status: "pending" }, data: { nextAttemptAt: new Date() } });
      await drain(() => hook.state.received.length >= 5);
      expect(hook.state.received.map((r) => (r.body.object.subject as { name: string }).name)).toEqual(["claim-0", "claim-1", "claim-2", "claim-3", "claim-4"]);
      expect(hook.state.bad).toBe(0);

      // A success, then a message past the retry window given up, in one claim: the destination is failing after it.
      await createBot(a.admin.actor, { name: "ok-first" }, ctx);
      await createBot(a.admin.actor, { name: "too-old" }, ctx);
      const sentBefore = hook.state.attempts;
      hook.state.answer = () => (hook.state.attempts === sentBefore + 1 ? { status: 204 } : { status: 500 });
      // Both older than the window (messages go oldest first): the first is sent, the second given up.
      for (const [name, ms] of [["ok-first", 2000], ["too-old", 1000]] as const) {
        await db().eventDelivery.updateMany({
          where: { destinationId: d.id, payload: { path: ["object", "subject", "name"], equals: name } },
          data: { createdAt: new Date(Date.now() - giveUpAfterMs() - ms) },
        });
      }
      await deliverDueEvents({ maxClaims: 1 });
      const last = await db().eventDelivery.findMany({ where: { destinationId: d.id, status: { not: "delivered" } } });
      expect(last.map((r) => [nameOf(r), r.status])).toEqual([["too-old", "failed"]]);
      expect((await db().eventDestination.findUniqueOrThrow({ where: { id: d.id } })).failingSince).not.toBeNull();
    } finally {
      await hook.close();
    }
  });

  it("sends a test event to one destination whatever its subscriptions, shown in its delivery log, and sends messages again; a member may not", async () => {
    const a = await apiAccount();
    const hook = await receiver("127.77.0.18");
    const ngrok = new Ngrok({ apiToken: a.owner.key.token, baseUrl: api.base });
    try {
      const d = await ngrok.eventDestinations.create({ format: "json", target: { webhook: { url: hook.url } } as never });
      hook.state.secret = (d.target as unknown as { webhook: { secret: string } }).webhook.secret;
      expect(await sendTestEvent(a.member.actor, { id: d.id }, ctx)).toEqual(expect.objectContaining({ ok: false, code: "not_admin" }));
      const sent = await sendTestEvent(a.admin.actor, { id: d.id }, ctx);
      expect(sent.ok).toBe(true);
      await drain(() => hook.state.received.length >= 1);
      expect(hook.state.received[0]!.body).toEqual(expect.objectContaining({ event_type: "event_destination_tested.v0", object: expect.objectContaining({ data: { test: true } }) }));
      expect(hook.state.bad).toBe(0);
      const log = await listRecentDeliveries(a.admin.actor, [d.id]);
      expect(log.get(d.id)).toEqual([expect.objectContaining({ eventType: "event_destination_tested.v0", status: "delivered", attempts: 1, lastStatus: 204 })]);
      // Sent again: one message, then everything since a time, in their order, with the same webhook-id.
      await createBot(a.admin.actor, { name: "again-1" }, ctx);
      expect((await ngrok.eventSubscriptions.create({ sources: [{ type: "bot_user_created.v0" }], destinationIds: [d.id] })).id).toBeTruthy();
      await createBot(a.admin.actor, { name: "again-2" }, ctx);
      await createBot(a.admin.actor, { name: "again-3" }, ctx);
      await drain(() => hook.state.received.length >= 3);
      const [test, second] = [hook.state.received[0]!, hook.state.received[1]!];
      expect(await redeliver(a.member.actor, { id: d.id, eventId: test.id }, ctx)).toEqual(expect.objectContaining({ ok: false, code: "not_admin" }));
      expect(await redeliver(a.admin.actor, { id: d.id, eventId: test.id }, ctx)).toEqual({ ok: true, data: { count: 1 } });
      await drain(() => hook.state.received.length >= 4);
      expect(hook.state.received[3]!.id).toBe(test.id);
      const since = new Date(second.body.event_timestamp);
      expect(await redeliver(a.admin.actor, { id: d.id, since }, ctx)).toEqual({ ok: true, data: { count: 2 } });
      await drain(() => hook.state.received.length >= 6);
      expect(hook.state.received.slice(4).map((r) => (r.body.object.subject as { name: string }).name)).toEqual(["again-2", "again-3"]);
      expect(hook.state.bad).toBe(0);
      expect(await redeliver(a.admin.actor, { id: d.id }, ctx)).toEqual(expect.objectContaining({ ok: false, code: "invalid_input" }));
      // Another account's admin sees nothing of it.
      const b = await apiAccount();
      expect((await listRecentDeliveries(b.admin.actor, [d.id])).get(d.id)).toEqual([]);
      expect(await sendTestEvent(b.admin.actor, { id: d.id }, ctx)).toEqual(expect.objectContaining({ ok: false, code: "not_found" }));
      expect(await redeliver(b.admin.actor, { id: d.id, since: new Date(0) }, ctx)).toEqual(expect.objectContaining({ ok: false, code: "not_found" }));
    } finally {
      await hook.close();
    }
  });

  it("does not follow a redirect, and refuses at delivery an address that is no longer allowed", async () => {
    const a = await apiAccount();
    const hook = await receiver("127.77.0.14");
    const ngrok = new Ngrok({ apiToken: a.owner.key.token, baseUrl: api.base });
    try {
      hook.state.answer = () => ({ status: 302, location: "http://10.0.0.1/steal" });
      const d = await ngrok.eventDestinations.create({ format: "json", target: { webhook: { url: hook.url } } as never });
      await ngrok.eventSubscriptions.create({ sources: [{ type: "bot_user_created.v0" }], destinationIds: [d.id] });
      await createBot(a.admin.actor, { name: "redirected" }, ctx);
      await drain(() => hook.state.attempts >= 1, 100);
      const [row] = await db().eventDelivery.findMany({ where: { destinationId: d.id } });
      expect(row).toEqual(expect.objectContaining({ status: "pending", lastStatus: 302, lastError: "redirect (302) not followed" }));
      expect(hook.state.attempts).toBe(1);
      // The stored URL now points at a refused address (as if DNS had changed): refused before connecting.
      await db().eventDestination.update({ where: { id: d.id }, data: { target: { url: "http://127.0.0.1:9/x" } } });
      await db().eventDelivery.updateMany({ where: { destinationId: d.id }, data: { nextAttemptAt: new Date(0) } });
      await deliverDueEvents();
      const [again] = await db().eventDelivery.findMany({ where: { destinationId: d.id } });
      expect(again!.lastError).toMatch(/^refused: 127\.0\.0\.1 resolves to 127\.0\.0\.1/);
      expect(hook.state.attempts).toBe(1);
    } finally {
      await hook.close();
    }
  });

  it("sends to Datadog's logs intake with the API key, the waiting events in one request, oldest first", async () => {
    const a = await apiAccount();
    const intake = await receiver("127.77.0.15");
    process.env.BOTDESK_DATADOG_INTAKE_URL = new URL(intake.url).origin;
    const ngrok = new Ngrok({ apiToken: a.owner.key.token, baseUrl: api.base });
    try {
      const d = await ngrok.eventDestinations.create({ format: "json", target: { datadog: { apiKey: "dd-secret-key", ddsite: "datadoghq.com", ddtags: "team:ops", service: "botdesk" } } });
      await ngrok.eventSubscriptions.create({ sources: [{ type: "bot_user_created.v0" }], destinationIds: [d.id] });
      for (const name of ["to-datadog-1", "to-datadog-2", "to-datadog-3"]) await createBot(a.admin.actor, { name }, ctx);
      await drain(() => intake.state.received.length >= 1);
      expect(intake.state.received).toHaveLength(1);
      const [log] = intake.state.received;
      expect(log!.headers["dd-api-key"]).toBe("dd-secret-key");
      const entries = log!.body as unknown as { ddsource: string; ddtags: string; service: string; message: string }[];
      expect(entries).toHaveLength(3);
      for (const entry of entries) expect(entry).toEqual(expect.objectContaining({ ddsource: "botdesk", ddtags: "team:ops", service: "botdesk" }));
      const events = entries.map((e) => JSON.parse(e.message) as { event_type: string; object: { subject: { name: string } } });
      expect(events.map((e) => e.event_type)).toEqual(["bot_user_created.v0", "bot_user_created.v0", "bot_user_created.v0"]);
      expect(events.map((e) => e.object.subject.name)).toEqual(["to-datadog-1", "to-datadog-2", "to-datadog-3"]);
    } finally {
      delete process.env.BOTDESK_DATADOG_INTAKE_URL;
      await intake.close();
    }
  });
});
