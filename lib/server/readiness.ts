import { db } from "@/lib/db/client";
import { defaultMigrationsDir, readMigrations } from "@/lib/db/migration-files";
import { isDatabaseUnavailable } from "@/lib/server/database-unavailable";
import { webWorker } from "@/lib/server/web-worker";

/**
 * Liveness and readiness for load balancers and supervisors. Liveness
 * (`/healthz`, alias `/api/health`) only says the web server answers; readiness
 * (`/readyz`) says this instance can serve: its database answers and has every
 * migration this build ships applied (an instance started before `npm start`'s
 * migrations ran, or a new build pointed at an old database, is not ready).
 */

export type Readiness =
  | { ready: true; migrations: number }
  | { ready: false; reason: "database_unreachable" | "migrations_pending" | "migration_failed"; message: string };

/** What readiness reads: `_prisma_migrations`' rows (a query function, so tests can pass another database). */
export type MigrationRowsQuery = () => Promise<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }[]>;

const READINESS_TIMEOUT_MS = 3_000;

const appRows: MigrationRowsQuery = () =>
  db().$queryRawUnsafe("SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations");

// The migration folders a build ships never change while it runs: read once per folder.
const shipped = new Map<string, Promise<string[]>>();
function shippedMigrations(dir: string): Promise<string[]> {
  let names = shipped.get(dir);
  if (!names) {
    names = readMigrations(dir).then((ms) => ms.map((m) => m.name));
    names.catch(() => shipped.delete(dir));
    shipped.set(dir, names);
  }
  return names;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: "ETIMEDOUT" })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Whether this instance may be sent traffic: the database answered within 3 s
 * and every migration folder shipped with this build is recorded as finished in
 * `_prisma_migrations` (none failed). Never throws.
 */
export async function checkReadiness(opts: { rows?: MigrationRowsQuery; migrationsDir?: string; timeoutMs?: number } = {}): Promise<Readiness> {
  const local = await shippedMigrations(opts.migrationsDir ?? defaultMigrationsDir());
  let rows: Awaited<ReturnType<MigrationRowsQuery>>;
  try {
    rows = await withTimeout((opts.rows ?? appRows)(), opts.timeoutMs ?? READINESS_TIMEOUT_MS);
  } catch (error) {
    // 42P01: no _prisma_migrations table (an empty database: nothing applied yet).
    if ((error as { code?: string }).code === "42P01" || /_prisma_migrations.*does not exist|relation .* does not exist/i.test(String((error as Error)?.message ?? ""))) {
      return { ready: false, reason: "migrations_pending", message: `No migration is applied yet (${local.length} shipped).` };
    }
    const why = isDatabaseUnavailable(error) ? "cannot be reached" : "did not answer";
    return { ready: false, reason: "database_unreachable", message: `The database ${why}.` };
  }
  const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
  if (failed) return { ready: false, reason: "migration_failed", message: `Migration ${failed.migration_name} failed or is still running.` };
  const applied = new Set(rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => r.migration_name));
  const pending = local.filter((name) => !applied.has(name));
  if (pending.length > 0) {
    return { ready: false, reason: "migrations_pending", message: `${pending.length} of ${local.length} migrations not applied yet: ${pending.slice(0, 3).join(", ")}${pending.length > 3 ? ", …" : ""}.` };
  }
  return { ready: true, migrations: local.length };
}

const NO_STORE = { "cache-control": "no-store" };

/** `/healthz` and `/api/health`: 200 while the process answers; never touches the database. */
export function livenessResponse(): Response {
  // With several web workers, which one answered (its number, 1…BOTDESK_WEB_WORKERS): an operator sees them all serve.
  const worker = webWorker();
  return Response.json(worker === undefined ? { status: "ok" } : { status: "ok", worker }, { headers: NO_STORE });
}

/** `/readyz`: 200 `{status: "ready"}`, or 503 `{status: "not_ready", reason, message}`. */
export async function readinessResponse(): Promise<Response> {
  const readiness = await checkReadiness();
  if (readiness.ready) return Response.json({ status: "ready", migrations: readiness.migrations }, { headers: NO_STORE });
  return Response.json({ status: "not_ready", reason: readiness.reason, message: readiness.message }, { status: 503, headers: NO_STORE });
}
