/**
 * Race trials. The test database is a real PostgreSQL server reached through
 * a pool of 10 connections, so racers really run at once and a missing lock
 * shows as a failure.
 */

/** Runs `trials` rounds; in each, every racer starts at the same moment. Returns each round's settled results. */
export async function race(trials: number, round: (trial: number) => Promise<Array<() => Promise<unknown>>>): Promise<PromiseSettledResult<unknown>[][]> {
  const out: PromiseSettledResult<unknown>[][] = [];
  for (let i = 0; i < trials; i++) {
    const racers = await round(i);
    out.push(await Promise.allSettled(racers.map((r) => r())));
  }
  return out;
}
