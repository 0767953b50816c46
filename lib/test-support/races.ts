import { db } from "../db/client";

/**
 * Why race tests cannot run against this test database, or null when they can.
 * A race needs two sessions really running at once: a real PostgreSQL server.
 * The embedded PGlite runs one query at a time on one session, so a missing
 * lock could never show there, and a green run would prove nothing.
 */
export async function whyRacesCannotRun(): Promise<string | null> {
  const [row] = await db().$queryRaw<{ version: string }[]>`SELECT version() AS version`;
  if (row?.version.includes("PGlite")) {
    return "the test database is the embedded PGlite (one session, no real concurrency): set TEST_DATABASE_URL to a PostgreSQL server";
  }
  if (Number(process.env.DATABASE_POOL_SIZE ?? "1") < 2) return "the database pool has one connection: nothing can overlap";
  return null;
}

/** A describe title that says, in the test report, when and why the block is skipped. */
export function racesTitle(title: string, skipReason: string | null): string {
  if (!skipReason) return title;
  console.warn(`[races] SKIPPED "${title}": ${skipReason}`);
  return `${title} — SKIPPED: ${skipReason}`;
}

/** Runs `trials` rounds; in each, every racer starts at the same moment. Returns each round's settled results. */
export async function race(trials: number, round: (trial: number) => Promise<Array<() => Promise<unknown>>>): Promise<PromiseSettledResult<unknown>[][]> {
  const out: PromiseSettledResult<unknown>[][] = [];
  for (let i = 0; i < trials; i++) {
    const racers = await round(i);
    out.push(await Promise.allSettled(racers.map((r) => r())));
  }
  return out;
}
