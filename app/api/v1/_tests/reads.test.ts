import { describe, expect, it } from "vitest";
import { tunnelSessionJson } from "@/lib/api/tunnel-sessions";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { latestSession, NO_CTX, sdkSession, withAgentListener } from "@/lib/test-support/ngrok-agents";
import { apiAccount, call, ORIGIN } from "./client";

const BASE = `${ORIGIN}/api/v1`;
// The sessions listed are started by ngrok's own agent SDK (@ngrok/ngrok) against a real agent listener.
const h = withAgentListener();

describe("/api/v1/tunnel_sessions", () => {
  it("lists the account's sessions newest first in ngrok's shape, pages with before_id, and gets one by id", async () => {
    const { account, bot, owner, member } = await apiAccount();
    const created = await createCredential(owner.actor, { kind: "authtoken", ownerId: bot.principal.id }, NO_CTX);
    if (!created.ok) throw new Error(created.message);
    const token = { id: created.data.credential.id, token: created.data.token! };
    const agents = [await sdkSession(h, token.token).connect()];
    const first = (await latestSession(account.id))!.id;
    agents.push(await sdkSession(h, token.token).connect());
    const second = (await latestSession(account.id))!.id;
    try {
      await listsAndGets({ bot, owner, member, token, first, second });
    } finally {
      await Promise.all(agents.map((a) => a.close()));
    }
  });

  it("names an SSH session's key under /ssh_credentials", () => {
    const json = tunnelSessionJson(BASE, {
      id: "ts_1",
      principal: { id: "bot_1", name: "b", kind: "bot" },
      credential: { id: "sshcr_1", display: "SHA256:x" },
      transport: "ssh",
      ip: "10.0.0.1",
      agentVersion: "OpenSSH_9.2",
      os: "unknown",
      arch: "unknown",
      metadata: "",
      hostname: null,
      clientId: null,
      userAgent: "SSH-2.0-OpenSSH_9.2",
      region: "local",
      startedAt: new Date(0),
      lastHeartbeatAt: new Date(0),
      endedAt: null,
      endReason: null,
      bytesIn: 0,
      bytesOut: 0,
      requests: 0,
      endpoints: [],
    });
    expect(json.credential).toEqual({ id: "sshcr_1", uri: `${BASE}/ssh_credentials/sshcr_1` });
  });
});

describe("/api/v1/events", () => {
  it("lists the account's activity with the activity filters, snake_case, paged by before_id", async () => {
    const { owner, account } = await apiAccount();
    const a = await call("POST", "/bot_users", { key: owner.key.token, body: { name: "events-a" } });
    const b = await call("POST", "/bot_users", { key: owner.key.token, body: { name: "events-b" } });
    const page1 = await call("GET", "/events?type=bot.created&source=api&limit=1", { key: owner.key.token });
    expect(page1.status).toBe(200);
    expect(page1.body.events).toEqual([
      {
        id: expect.stringMatching(/^ev_/),
        uri: `${BASE}/events/${page1.body.events[0].id}`,
        type: "bot.created",
        label: expect.any(String),
        category: "bots",
        source: "api",
        created_at: expect.any(String),
        principal: { id: owner.principal.id, name: owner.principal.name, kind: "person", deleted: false },
        subject: { id: b.body.id, name: "events-b", kind: "bot" },
        bot_id: b.body.id,
        credential: { id: owner.key.id, display: expect.stringMatching(/^bdak_/) },
        ip: null,
      },
    ]);
    const next = new URL(page1.body.next_page_uri);
    expect(Object.fromEntries(next.searchParams)).toEqual({ type: "bot.created", source: "api", before_id: page1.body.events[0].id, limit: "1" });
    const page2 = await call("GET", `/events${next.search}`, { key: owner.key.token });
    expect(page2.body.events.map((e: { subject: { id: string } }) => e.subject.id)).toEqual([a.body.id]);
    expect(page2.body.next_page_uri).toBeNull();

    // One bot's events; one event by id; nothing of another account.
    const ofA = await call("GET", `/events?bot_id=${a.body.id}`, { key: owner.key.token });
    expect(ofA.body.events.map((e: { type: string }) => e.type)).toEqual(["bot.created"]);
    expect((await call("GET", `/events/${page1.body.events[0].id}`, { key: owner.key.token })).body).toEqual(page1.body.events[0]);
    const other = await apiAccount();
    expect((await call("GET", `/events/${page1.body.events[0].id}`, { key: other.owner.key.token })).body.error_code).toBe("ERR_BOTDESK_404");
    expect((await call("GET", `/events?bot_id=${a.body.id}`, { key: other.owner.key.token })).body.events).toEqual([]);
    void account;
  });

  it("refuses invalid filters naming them", async () => {
    const { owner } = await apiAccount();
    for (const [query, field] of [
      ["type=bot.nonsense", "type"],
      ["source=fax", "source"],
      ["range=1y", "range"],
      ["from=yesterday", "from"],
      ["limit=0", "limit"],
      ["before_id=bot_0355ckf8w1Og3CjEJEN5KO", "before_id"],
    ]) {
      const res = await call("GET", `/events?${query}`, { key: owner.key.token });
      expect(res.status, query).toBe(400);
      expect(res.body.details.field, query).toBe(field);
    }
  });
});

describe("/api/v1/usage", () => {
  it("answers this month so far per principal; members' keys see their own and bots', never another person's", async () => {
    const { owner, member, bot, admin } = await apiAccount();
    await call("GET", "/bot_users", { key: bot.key.token });
    await call("GET", "/bot_users", { key: admin.key.token });
    await call("GET", "/bot_users", { key: owner.key.token });
    // A request is metered once it has been answered: this one shows in the next answer, not in its own.
    const all = await call("GET", "/usage", { key: owner.key.token });
    expect(all.status).toBe(200);
    const month = new Date().toISOString().slice(0, 8);
    expect(all.body).toMatchObject({ uri: `${BASE}/usage`, from: `${month}01`, to: new Date().toISOString().slice(0, 10) });
    const ids = (body: { principals: { principal: { id: string } }[] }) => body.principals.map((p) => p.principal.id).sort();
    expect(ids(all.body)).toEqual([owner.principal.id, admin.principal.id, bot.principal.id].sort());
    const botRow = all.body.principals.find((p: { principal: { id: string } }) => p.principal.id === bot.principal.id);
    expect(botRow).toEqual({
      principal: { id: bot.principal.id, name: bot.principal.name, kind: "bot", deleted: false },
      sessions: 0,
      endpoints: 0,
      bytes_in: 0,
      bytes_out: 0,
      tunnel_requests: 0,
      api_requests: 1,
    });
    expect(all.body.total.api_requests).toBe(3);
    const again = await call("GET", `/usage?principal_id=${owner.principal.id}`, { key: owner.key.token });
    expect(again.body.principals[0].api_requests).toBe(2);

    await call("GET", "/bot_users", { key: member.key.token });
    const mine = await call("GET", "/usage", { key: member.key.token });
    expect(ids(mine.body)).toEqual([member.principal.id, bot.principal.id].sort());
    expect((await call("GET", `/usage?principal_id=${admin.principal.id}`, { key: member.key.token })).body.principals).toEqual([]);
    expect(ids((await call("GET", `/usage?principal_id=${bot.principal.id}`, { key: owner.key.token })).body)).toEqual([bot.principal.id]);
    expect((await call("GET", "/usage?principal_id=x%20y", { key: owner.key.token })).body.details.field).toBe("principal_id");
    expect(all.body.next_page_uri).toBeNull();

    // A page at a time: next_page_uri carries the cursor and the limit; the total stays everyone's.
    const page1 = await call("GET", "/usage?limit=2", { key: owner.key.token });
    expect(page1.body.principals).toHaveLength(2);
    expect(page1.body.next_page_uri).toMatch(new RegExp(`^${BASE}/usage\\?limit=2&after=\\d+\\.\\d+\\.[A-Za-z0-9_]+$`));
    const page2 = await call("GET", page1.body.next_page_uri.slice(BASE.length), { key: owner.key.token });
    expect(page2.body.next_page_uri).toBeNull();
    const paged = [...page1.body.principals, ...page2.body.principals].map((p: { principal: { id: string } }) => p.principal.id);
    expect(paged.sort()).toEqual([owner.principal.id, admin.principal.id, bot.principal.id, member.principal.id].sort());
    // Everyone's total on each page (page 1's own request is metered by the time page 2 is asked for).
    expect(page2.body.total).toEqual({ ...page1.body.total, api_requests: page1.body.total.api_requests + 1 });
    expect(page1.body.total.api_requests).toBeGreaterThanOrEqual(6);
    for (const bad of ["limit=0", "limit=101", "after=nope", "after=1.2.x%20y"]) {
      const r = await call("GET", `/usage?${bad}`, { key: owner.key.token });
      expect(r.status, bad).toBe(400);
      expect(r.body.details.field, bad).toBe(bad.split("=")[0]);
    }
  });
});

type Account = Awaited<ReturnType<typeof apiAccount>>;
/** What ngrok's Rust agent reports as its Arch (Rust's std::env::consts::ARCH). */
const ARCH = ({ x64: "x86_64", arm64: "aarch64" } as Record<string, string>)[process.arch] ?? process.arch;

async function listsAndGets({ bot, owner, member, token, first, second }: Pick<Account, "bot" | "owner" | "member"> & { token: { id: string }; first: string; second: string }) {
  const page1 = await call("GET", "/tunnel_sessions?limit=1", { key: owner.key.token });
  expect(page1.status).toBe(200);
  expect(page1.body.tunnel_sessions).toEqual([
    {
      id: second,
      uri: `${BASE}/tunnel_sessions/${second}`,
      agent_version: "1.7.0",
      credential: { id: token.id, uri: `${BASE}/credentials/${token.id}` },
      ip: "127.0.0.1",
      metadata: "billing worker",
      os: process.platform,
      region: "local",
      started_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      transport: "ngrok/v2",
      arch: ARCH,
      owner_id: bot.principal.id,
      ended_at: null,
      end_reason: null,
    },
  ]);
  expect(page1.body.next_page_uri).toBe(`${BASE}/tunnel_sessions?before_id=${second}&limit=1`);
  const page2 = await call("GET", `/tunnel_sessions?before_id=${second}&limit=1`, { key: owner.key.token });
  expect(page2.body.tunnel_sessions.map((s: { id: string }) => s.id)).toEqual([first]);
  expect(page2.body.next_page_uri).toBeNull();

  // A member's key sees the bot's sessions (bots are the account's shared integrations).
  expect((await call("GET", `/tunnel_sessions/${first}`, { key: member.key.token })).body).toMatchObject({ id: first, owner_id: bot.principal.id });
  // Another account's key: not found.
  const other = await apiAccount();
  expect((await call("GET", `/tunnel_sessions/${first}`, { key: other.owner.key.token })).body.error_code).toBe("ERR_BOTDESK_404");
  expect((await call("GET", "/tunnel_sessions", { key: other.owner.key.token })).body.tunnel_sessions).toEqual([]);
  expect((await call("POST", "/tunnel_sessions", { key: owner.key.token })).status).toBe(405);
}
