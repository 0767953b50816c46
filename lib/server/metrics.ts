import { createHash, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import client from "prom-client";
import { readEnv } from "@/lib/env";

/**
 * Prometheus metrics of this instance, at `/metrics` (prom-client's text
 * format): HTTP requests and their latency by route template (never the raw
 * path, so ids do not make new series), the database pool, events recorded,
 * agent sessions open (read from the database at each scrape: every
 * instance's), and prom-client's process metrics. Served only when
 * BOTDESK_METRICS_TOKEN is set, to `Authorization: Bearer <token>`.
 *
 * One registry per process, kept on globalThis: instrumentation.ts, route
 * handlers and the domain are separate bundles in Next.js and must count into
 * the same metrics.
 */

import { onEventRecorded, registeredPools } from "./metrics-hooks";

interface Metrics {
  registry: client.Registry;
  httpRequests: client.Counter<"method" | "route" | "status">;
  httpDuration: client.Histogram<"method" | "route">;
  eventsRecorded: client.Counter<"type">;
  openSessions: () => Promise<number>;
}

const KEY = Symbol.for("botdesk.metrics");
type WithMetrics = typeof globalThis & { [KEY]?: Metrics };

export function metrics(): Metrics {
  const g = globalThis as WithMetrics;
  if (g[KEY]) return g[KEY];
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "botdesk_" });
  const m: Metrics = {
    registry,
    httpRequests: new client.Counter({ name: "botdesk_http_requests_total", help: "HTTP requests answered, by method, route template and status.", labelNames: ["method", "route", "status"], registers: [registry] }),
    httpDuration: new client.Histogram({
      name: "botdesk_http_request_duration_seconds",
      help: "Time from a request's arrival to the end of its answer, by method and route template.",
      labelNames: ["method", "route"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    eventsRecorded: new client.Counter({ name: "botdesk_events_recorded_total", help: "Events this instance recorded, by type.", labelNames: ["type"], registers: [registry] }),
    openSessions: async () => {
      const { db } = await import("@/lib/db/client");
      const [row] = await db().$queryRawUnsafe<{ n: number }[]>("SELECT count(*)::int AS n FROM tunnel_sessions WHERE ended_at IS NULL");
      return row?.n ?? 0;
    },
  };
  const pool = (name: string, help: string, read: (p: { totalCount: number; idleCount: number; waitingCount: number }) => number) =>
    new client.Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(registeredPools().reduce((sum, p) => sum + read(p), 0));
      },
    });
  pool("botdesk_db_pool_connections", "Connections open in this process's database pool.", (p) => p.totalCount);
  pool("botdesk_db_pool_idle_connections", "Open connections of the pool waiting for a query.", (p) => p.idleCount);
  pool("botdesk_db_pool_waiting_requests", "Queries waiting for a connection of the pool.", (p) => p.waitingCount);
  new client.Gauge({ name: "botdesk_db_pool_max_connections", help: "The pool's size (DATABASE_POOL_SIZE).", registers: [registry] }).set(readEnv().DATABASE_POOL_SIZE);
  new client.Gauge({
    name: "botdesk_agent_sessions_open",
    help: "Agent (tunnel) sessions open on every instance, read from the database at each scrape (-1 when it cannot be read).",
    registers: [registry],
    async collect() {
      try {
        this.set(await m.openSessions());
      } catch {
        this.set(-1);
      }
    },
  });
  onEventRecorded((type) => m.eventsRecorded.inc({ type }));
  g[KEY] = m;
  return m;
}


interface RouteTable {
  exact: Map<string, string>;
  dynamic: { page: string; regex: RegExp }[];
}
let routeTable: RouteTable | undefined;

/** The build's own route list (.next/routes-manifest.json): every page and route handler, with its pattern. */
function routes(): RouteTable {
  return (routeTable ??= loadRouteTable(path.join(/*turbopackIgnore: true*/ process.cwd(), ".next", "routes-manifest.json")));
}

/** Reads a routes manifest as `next build` writes it (tests pass their own), and uses it from now on. */
export function loadRouteTable(file: string): RouteTable {
  const table: RouteTable = { exact: new Map(), dynamic: [] };
  try {
    const manifest = JSON.parse(readFileSync(file, "utf8")) as {
      staticRoutes?: { page: string }[];
      dynamicRoutes?: { page: string; regex: string }[];
    };
    for (const r of manifest.staticRoutes ?? []) table.exact.set(r.page, r.page);
    for (const r of manifest.dynamicRoutes ?? []) table.dynamic.push({ page: r.page, regex: new RegExp(r.regex) });
  } catch {
    // `next dev` writes no complete manifest: every path is then "other".
  }
  routeTable = table;
  return table;
}

/** `/users/bots/bot_0cR8…` → `/users/bots/[id]`; build files → `/_next/static`; anything unknown → `other`. */
export function routeTemplateOf(pathname: string): string {
  if (pathname.startsWith("/_next/")) return pathname.startsWith("/_next/static/") ? "/_next/static" : "/_next";
  const bare = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  const table = routes();
  const exact = table.exact.get(bare);
  if (exact) return exact;
  for (const r of table.dynamic) if (r.regex.test(bare)) return r.page;
  return "other";
}

const INSTALLED = Symbol.for("botdesk.httpMetrics");
type Flagged = typeof globalThis & { [INSTALLED]?: boolean };

/** Counts every request of this process's HTTP servers (Next.js's), with its latency, when its answer ends. */
export function installHttpMetrics(): void {
  const g = globalThis as Flagged;
  if (g[INSTALLED]) return;
  g[INSTALLED] = true;
  const m = metrics();
  const emit = http.Server.prototype.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const request = args[0] as http.IncomingMessage;
      const response = args[1] as http.ServerResponse;
      const started = process.hrtime.bigint();
      const method = /^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS)$/.test(request.method ?? "") ? request.method! : "other";
      response.once("finish", () => {
        let route = "other";
        try {
          route = routeTemplateOf(new URL(request.url ?? "/", "http://x").pathname);
        } catch {}
        m.httpRequests.inc({ method, route, status: String(response.statusCode) });
        m.httpDuration.observe({ method, route }, Number(process.hrtime.bigint() - started) / 1e9);
      });
    }
    return emit.call(this, event, ...args);
  } as typeof http.Server.prototype.emit;
}

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/** Whether the request presents the metrics token as `Authorization: Bearer <token>` (compared in constant time). */
export function presentsMetricsToken(authorization: string | null, token: string): boolean {
  const presented = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? "")?.[1] ?? "";
  return timingSafeEqual(digest(presented), digest(token)) && presented.length > 0;
}

/** `/metrics`: 404 when BOTDESK_METRICS_TOKEN is unset, 401 without the token, else the metrics. */
export async function metricsResponse(request: Request, token = readEnv().BOTDESK_METRICS_TOKEN): Promise<Response> {
  const headers = { "cache-control": "no-store" };
  if (!token) return new Response("Not found: metrics are off (set BOTDESK_METRICS_TOKEN to serve them).\n", { status: 404, headers: { ...headers, "content-type": "text/plain; charset=utf-8" } });
  if (!presentsMetricsToken(request.headers.get("authorization"), token)) {
    return new Response("Send the metrics token as 'Authorization: Bearer <BOTDESK_METRICS_TOKEN>'.\n", {
      status: 401,
      headers: { ...headers, "content-type": "text/plain; charset=utf-8", "www-authenticate": 'Bearer realm="metrics"' },
    });
  }
  const { registry } = metrics();
  return new Response(await registry.metrics(), { headers: { ...headers, "content-type": registry.contentType } });
}
