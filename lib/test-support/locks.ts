import pg from "pg";
import { expect } from "vitest";
import { db } from "../db/client";

/**
 * Forcing an interleaving on the real database: a second connection holds a
 * row lock one side needs, so the order that would let a write through (or
 * refuse it) happens every time instead of by luck of timing.
 */
export class LockHolder {
  private readonly clients: pg.Client[] = [];

  /** A second connection that locks what `sql` selects (FOR UPDATE, FOR NO KEY UPDATE, …) until `release()`. */
  async hold(sql: string, params: unknown[]): Promise<{ release: () => Promise<void> }> {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    this.clients.push(client);
    await client.connect();
    await client.query("BEGIN");
    const { rowCount } = await client.query(sql, params);
    expect(rowCount).toBe(1);
    return { release: async () => void (await client.query("COMMIT")) };
  }

  /** Ends every connection (for afterEach). */
  async releaseAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.end().catch(() => {})));
  }
}

/** Resolves once `count` backends of this database wait for a lock (row or advisory); throws after 10 s. */
export async function untilSomeoneWaits(count = 1): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const [row] = await db().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`;
    if (row!.n >= count) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("nobody waited for a lock");
}

/** Runs `promise`, noting in `order` when it settled relative to the others. */
export function track<T>(name: string, promise: Promise<T>, order: string[]): Promise<T> {
  return promise.finally(() => order.push(name));
}
