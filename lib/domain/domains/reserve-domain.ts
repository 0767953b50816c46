import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { canManage } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result, type ResultCode } from "@/lib/domain/result";
import { env } from "@/lib/env";
import { newId } from "@/lib/ids";
import { reserveDomainSchema } from "@/lib/validation/domains";
import type { DomainName } from "@/lib/validation/domain-name";
import { lockName } from "./lock-names";
import { NOT_ADMIN_DOMAINS, reservedDomainViewSelect, type ReservedDomainView } from "./reserved-domain-view";
import { tunnelDomainRefusal, zoneKeyAndAncestors } from "./zones";
import type { Prisma } from "@/lib/db/generated/client";

/** A refusal about the name: the message is also the domain field's error, for forms. */
const refuse = (code: ResultCode, message: string): Result<never> => fail(code, message, { domain: message });

/**
 * Reserves a domain for the actor's account, so its agents may bind hostnames
 * there and no other account's may. Owners and admins only. The name is
 * validated and normalised (lib/validation/domain-name.ts), then refused when:
 * it is, contains or wildcards the tunnel domain (`tunnel_domain`,
 * `tunnel_domain_wildcard`); the account already has this name
 * (`domain_already_reserved`); it overlaps another account's reservation — the
 * same name, a name it contains or one that contains it
 * (`domain_reserved_elsewhere`, or `wildcard_conflict` for a wildcard); another
 * account has an endpoint online in it, such as a random name Botdesk handed
 * out (`domain_in_use`). The checks run under lockName, so two creators of
 * overlapping names, on any instance, are serialized: one wins, the other sees
 * it. Records `reserved_domain.created` in the same transaction.
 */
export async function reserveDomain(actor: Actor, input: unknown, ctx: RequestContext): Promise<Result<ReservedDomainView>> {
  if (!canManage(actor)) return fail("not_admin", NOT_ADMIN_DOMAINS);
  const parsed = reserveDomainSchema.safeParse(input);
  if (!parsed.success) return fail("invalid_input", "Check the domain's fields.", fieldErrorsOf(parsed.error));
  const { domain: name, description, metadata } = parsed.data;
  const region = parsed.data.region ?? null;
  const tunnel = tunnelDomainRefusal(name, env.BOTDESK_TUNNEL_DOMAIN);
  if (tunnel) return refuse(tunnel.code, tunnel.message);

  return actorTransaction(actor, async (tx) => {
    await lockName(tx, name.zoneKey);
    const conflict = await conflictOf(tx, actor.account.id, name);
    if (conflict) return conflict;
    const id = newId("reservedDomain");
    const created = await tx.reservedDomain.create({
      data: { id, accountId: actor.account.id, domain: name.domain, zoneKey: name.zoneKey, description, metadata, region },
      select: reservedDomainViewSelect,
    });
    await recordActorEvent(tx, actor, ctx, {
      type: "reserved_domain.created",
      subject: { id, name: name.domain },
      data: { after: { domain: name.domain, description, metadata, region } },
    });
    return ok(created);
  });
}

/** Why `name` cannot be reserved by `accountId` now, or null; run under lockName(name). */
async function conflictOf(tx: Prisma.TransactionClient, accountId: string, name: DomainName): Promise<Result<never> | null> {
  // Overlapping reservations: the name's own zone key and those above it (equality, indexed), and those under it (prefix).
  const rows = await tx.$queryRaw<{ account_id: string; domain: string }[]>`
    SELECT account_id, domain FROM reserved_domains
    WHERE zone_key = ANY(${zoneKeyAndAncestors(name.zoneKey)}::text[]) OR zone_key LIKE ${`${name.zoneKey}%`}`;
  const same = rows.find((r) => r.domain === name.domain);
  if (same?.account_id === accountId) return refuse("domain_already_reserved", `${name.domain} is already reserved for this account.`);
  if (rows.some((r) => r.account_id !== accountId)) {
    return name.wildcard
      ? refuse("wildcard_conflict", `${name.domain} would conflict with a domain reserved for another account (a name under it, or one above it).`)
      : refuse("domain_reserved_elsewhere", `${name.domain} is already reserved for another account (this name, or a wildcard or name above it).`);
  }
  // Another account's endpoint online in it (a random name Botdesk handed out, or one bound before reservations existed).
  const hostnames = zoneKeyAndAncestors(name.zoneKey).map(hostnameOf);
  const [inUse] = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM tunnel_endpoints
    WHERE ended_at IS NULL AND account_id <> ${accountId} AND hostname IS NOT NULL
      AND (hostname = ANY(${hostnames}::text[]) OR hostname LIKE ${`%.${name.base}`})
    LIMIT 1`;
  if (inUse) return refuse("domain_in_use", `Another account has an endpoint online at ${name.domain}: a domain in use can't be reserved.`);
  return null;
}

/** `example.com` for the zone key `com.example.`. */
const hostnameOf = (zoneKey: string) => zoneKey.split(".").slice(0, -1).reverse().join(".");
