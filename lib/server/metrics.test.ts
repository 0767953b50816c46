import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { agentOf } from "@/lib/test-support/agents";
import { actorOf, createTestAccount } from "@/lib/test-support/factories";
import { installHttpMetrics, loadRouteTable, metricsResponse, presentsMetricsToken } from "./metrics";

const TOKEN = "metrics-token-0123456789abcdef";
const scrape = (authorization?: string, token = TOKEN) =>
  metricsResponse(new Request("http://localhost/metrics", { headers: authorization ? { authorization } : {} }), token);

/** One sample's value from the text format, e.g. value(text, 'botdesk_http_requests_total{method="GET",route="/users/bots/[id]",status="200"}'). */
function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("/metrics", () => {
  it("is off (404) without BOTDESK_METRICS_TOKEN, 401 without or with a wrong token, never cached", async () => {
    const off = await scrape(`Bearer ${TOKEN}`, ""); // BOTDESK_METRICS_TOKEN unset (lib/env.ts reads "" as unset)
    expect(off.status).toBe(404);
    for (const authorization of [undefined, "Bearer wrong-token-0123456789abcdef", `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, "Bearer "]) {
      const res = await scrape(authorization);
      expect(res.status, String(authorization)).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      expect(await res.text()).not.toContain("botdesk_");
    }
    const ok = await scrape(`bearer ${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("cache-control")).toBe("no-store");
    expect(ok.headers.get("content-type")).toContain("text/plain");
  });

  it("compares the token whatever its length, and refuses an empty one", () => {
    expect(presentsMetricsToken(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(presentsMetricsToken("Bearer short", TOKEN)).toBe(false);
    expect(presentsMetricsToken(null, TOKEN)).toBe(false);
  });

  describe("what it reports", () => {
    let server: http.Server;
    let base: string;
    let dir: string;
    beforeAll(async () => {
      // The build's route list, as `next build` writes it (a page with an id, and a static route).
      dir = await mkdtemp(path.join(tmpdir(), "botdesk-metrics-"));
      const manifest = path.join(dir, "routes-manifest.json");
      await writeFile(manifest, JSON.stringify({
        staticRoutes: [{ page: "/users", regex: "^/users(?:/)?$" }],
        dynamicRoutes: [{ page: "/users/bots/[id]", regex: "^/users/bots/([^/]+?)(?:/)?$" }],
      }));
      loadRouteTable(manifest);
      installHttpMetrics();
      server = http.createServer((req, res) => {
        res.statusCode = req.url?.includes("missing") ? 404 : 200;
        setTimeout(() => res.end("ok"), 20);
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
      await rm(dir, { recursive: true, force: true });
    });

    it("counts requests and their latency by route template, never by raw path", async () => {
      for (const id of ["bot_aaaaaaaaaaaaaaaaaaaaaa", "bot_bbbbbbbbbbbbbbbbbbbbbb", "bot_cccccccccccccccccccccc"]) await fetch(`${base}/users/bots/${id}`);
      await fetch(`${base}/users`);
      await fetch(`${base}/no/such/missing/page`);
      const text = await (await scrape(`Bearer ${TOKEN}`)).text();
      expect(value(text, 'botdesk_http_requests_total{method="GET",route="/users/bots/[id]",status="200"}')).toBe(3);
      expect(value(text, 'botdesk_http_requests_total{method="GET",route="/users",status="200"}')).toBe(1);
      expect(value(text, 'botdesk_http_requests_total{method="GET",route="other",status="404"}')).toBe(1);
      expect(value(text, 'botdesk_http_request_duration_seconds_count{method="GET",route="/users/bots/[id]"}')).toBe(3);
      expect(value(text, 'botdesk_http_request_duration_seconds_sum{method="GET",route="/users/bots/[id]"}')).toBeGreaterThanOrEqual(0.05);
      expect(text).not.toContain("bot_aaaa");
    });

    it("reports the database pool, events recorded and agent sessions open", async () => {
      const { account, owner } = await createTestAccount();
      const admin = actorOf(account, owner, "owner");
      await db().$queryRawUnsafe("SELECT 1"); // the app's pool has a connection
      const before = await (await scrape(`Bearer ${TOKEN}`)).text();
      const startedBefore = value(before, 'botdesk_events_recorded_total{type="agent.session_started"}') ?? 0;
      await agentOf(admin);
      await agentOf(admin);
      const text = await (await scrape(`Bearer ${TOKEN}`)).text();
      expect(value(text, "botdesk_agent_sessions_open")).toBe(2);
      expect(value(text, 'botdesk_events_recorded_total{type="agent.session_started"}')).toBe(startedBefore + 2);
      expect(value(text, "botdesk_db_pool_connections")).toBeGreaterThanOrEqual(1);
      expect(value(text, "botdesk_db_pool_max_connections")).toBe(10);
      expect(value(text, "botdesk_db_pool_waiting_requests")).toBe(0);
      expect(text).toContain("botdesk_process_resident_memory_bytes");
    });
  });
});
