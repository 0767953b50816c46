import { expect, test } from "@playwright/test";
import { E2E_METRICS_TOKEN } from "./support/constants";

// What a load balancer and a supervisor see: the production server's probes,
// asked as they ask (no credentials, no cookies).

test("/healthz, /api/health and /readyz answer a load balancer: JSON, never cached, no cookie", async ({ request }) => {
  for (const path of ["/healthz", "/api/health"]) {
    const res = await request.get(path);
    expect(res.status(), path).toBe(200);
    expect(res.headers()["cache-control"], path).toBe("no-store");
    expect(res.headers()["set-cookie"], path).toBeUndefined();
    expect(await res.json(), path).toEqual({ status: "ok" });
  }
  const ready = await request.get("/readyz");
  expect(ready.status()).toBe(200);
  expect(ready.headers()["cache-control"]).toBe("no-store");
  expect(ready.headers()["set-cookie"]).toBeUndefined();
  const body = (await ready.json()) as { status: string; migrations: number };
  expect(body.status).toBe("ready");
  expect(body.migrations).toBeGreaterThan(5);
  // HEAD, as some balancers probe.
  expect((await request.head("/readyz")).status()).toBe(200);
});

test("/metrics answers Prometheus with the token only, and counts requests by route template", async ({ request }) => {
  expect((await request.get("/metrics")).status()).toBe(401);
  expect((await request.get("/metrics", { headers: { Authorization: "Bearer not-the-metrics-token-0123456789" } })).status()).toBe(401);
  // Two different bots' pages: one series for the page's template, no raw path anywhere.
  await request.get("/users/bots/bot_0000000000000000000001", { maxRedirects: 0 });
  await request.get("/users/bots/bot_0000000000000000000002", { maxRedirects: 0 });
  const res = await request.get("/metrics", { headers: { Authorization: `Bearer ${E2E_METRICS_TOKEN}` } });
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("text/plain");
  const text = await res.text();
  // At least these two (other specs of the run may have asked for bots' pages too).
  const botPages = /^botdesk_http_requests_total\{method="GET",route="\/users\/bots\/\[id\]",status="307"\} (\d+)$/m.exec(text);
  expect(Number(botPages?.[1])).toBeGreaterThanOrEqual(2);
  expect(text).toMatch(/^botdesk_http_request_duration_seconds_count\{method="GET",route="\/readyz"\} \d+$/m);
  expect(text).not.toContain("bot_0000000000000000000001");
  expect(text).toMatch(/^botdesk_db_pool_connections \d+$/m);
  expect(text).toMatch(/^botdesk_agent_sessions_open \d+$/m);
  expect(text).toContain("# TYPE botdesk_events_recorded_total counter");
});
