import { expect, test } from "@playwright/test";

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
