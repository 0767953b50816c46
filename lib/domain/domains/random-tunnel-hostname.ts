import { randomBytes } from "node:crypto";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/db/generated/client";
import { env } from "@/lib/env";
import { zoneKeyOf } from "@/lib/validation/domain-name";
import { zoneKeyAndAncestors } from "./zones";

const ATTEMPTS = 5;

/**
 * A random hostname directly under the tunnel domain (`3f9a0c1b2d4e.tunnel.localhost`,
 * 48 random bits), for a bind that asks for none: one that no account has
 * reserved (neither the name, nor one above or under it) and no endpoint is
 * online on. Bind it with mayBindHostname's `assigned` (bindEndpoint's
 * `assignedHostname`), which checks again under the name's lock: between this
 * read and the bind another account could reserve it (with 48 random bits,
 * only by guessing it), and the bind is then refused.
 */
export async function randomTunnelHostname(tx: Prisma.TransactionClient = db(), domain: string = env.BOTDESK_TUNNEL_DOMAIN): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const hostname = `${randomBytes(6).toString("hex")}.${domain}`;
    const key = zoneKeyOf(hostname);
    const [taken] = await tx.$queryRaw<{ taken: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM reserved_domains WHERE zone_key = ANY(${zoneKeyAndAncestors(key)}::text[]) OR zone_key LIKE ${`${key}%`})
          OR EXISTS (SELECT 1 FROM tunnel_endpoints WHERE ended_at IS NULL AND hostname = ${hostname}) AS taken`;
    if (!taken?.taken) return hostname;
    if (attempt >= ATTEMPTS) throw new Error(`no free random hostname under ${domain} after ${ATTEMPTS} attempts`);
  }
}
