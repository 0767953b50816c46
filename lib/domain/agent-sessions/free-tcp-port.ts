import { db } from "@/lib/db/client";

/**
 * A port of `range` on which no TCP endpoint `tcp://<host>:<port>` is online
 * (on any instance), picked at random among the free ones so two instances
 * rarely pick the same; null when every port is taken. Bind it with
 * bindEndpoint, which decides under the address's lock (a port taken in
 * between is refused with `endpoint_online`: pick again).
 */
export async function freeTcpPort(host: string, range: { from: number; to: number }, skip: ReadonlySet<number> = new Set()): Promise<number | null> {
  const rows = await db().$queryRaw<{ url: string }[]>`
    SELECT url FROM tunnel_endpoints WHERE ended_at IS NULL AND url LIKE ${`tcp://${host}:%`}`;
  const taken = new Set(rows.map((r) => Number(r.url.slice(r.url.lastIndexOf(":") + 1))));
  const free: number[] = [];
  for (let port = range.from; port <= range.to; port++) if (!taken.has(port) && !skip.has(port)) free.push(port);
  return free.length ? free[Math.floor(Math.random() * free.length)]! : null;
}
