import { spawnSync } from "node:child_process";
import net from "node:net";
import pg from "pg";

/** The PostgreSQL server the fault tests create their scratch databases on (never the app's own database). */
export const SERVER_URL = process.env.HARDENING_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The instances serve the current build: build it first if the sources changed (it does nothing otherwise). */
export function ensureBuild(repo: string): void {
  const build = spawnSync(process.execPath, ["scripts/start.mjs", "--build-only"], { cwd: repo, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (build.status !== 0) throw new Error("the build failed");
}

/** A fresh, empty database on SERVER_URL's server, its URL, a pool on it, and how to drop it (FORCE: instances may still hold connections). */
export async function scratchDatabase(name: string, poolMax: number): Promise<{ url: string; pool: pg.Pool; drop: () => Promise<void> }> {
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: SERVER_URL });
    await client.connect();
    try {
      await client.query(query);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: poolMax });
  return {
    url: url.toString(),
    pool,
    drop: async () => {
      // pool.end() resolves before its clients have said goodbye: DROP ... FORCE could cut one off
      // mid-way, and its 57P01 would reach the pool as an unhandled error. Wait until each has closed (5 s at most).
      const open = pool.totalCount;
      let removed = 0;
      const closed = new Promise<void>((resolve) => {
        if (open === 0) resolve();
        pool.on("remove", () => ++removed === open && resolve());
      });
      await pool.end();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 5_000).unref())]);
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
