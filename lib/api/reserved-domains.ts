import { deleteReservedDomain } from "@/lib/domain/domains/delete-reserved-domain";
import { getReservedDomain, listReservedDomainsBefore } from "@/lib/domain/domains/read-reserved-domains";
import { reserveDomain } from "@/lib/domain/domains/reserve-domain";
import { NOT_ADMIN_DOMAINS, type ReservedDomainView } from "@/lib/domain/domains/reserved-domain-view";
import type { Actor } from "@/lib/domain/access/types";
import { canManage } from "@/lib/domain/permissions";
import { updateReservedDomain } from "@/lib/domain/domains/update-reserved-domain";
import { reservedDomainCreateSchema, reservedDomainUpdateSchema } from "@/lib/validation/api";
import { ApiError } from "./errors";
import { unwrap } from "./from-result";
import { keysetQuery, listBody, pathId, readJsonBody, validate } from "./request";
import { apiRoute, NO_CONTENT } from "./route";

/** A reserved domain as ngrok shows it; the certificate fields are always null (Botdesk keeps no per-domain certificates). */
export function reservedDomainJson(base: string, d: ReservedDomainView) {
  return {
    id: d.id,
    uri: `${base}/reserved_domains/${d.id}`,
    created_at: d.createdAt.toISOString(),
    description: d.description,
    metadata: d.metadata,
    domain: d.domain,
    region: d.region,
    cname_target: null,
    certificate: null,
    certificate_management_policy: null,
    certificate_management_status: null,
    acme_challenge_cname_target: null,
  };
}

const NOT_ADMIN = { forbidden: "ERR_BOTDESK_4114" } as const;
/** A member's or bot's key is refused before its body is read (the domain functions refuse it too, whatever it sent). */
function requireManager(actor: Actor): void {
  if (!canManage(actor)) throw new ApiError("ERR_BOTDESK_4114", `${NOT_ADMIN_DOMAINS}.`);
}
const notFound = () => new ApiError("ERR_BOTDESK_404", "Reserved domain not found.");

/** ngrok's certificate fields: refused by name when set (null or absent is "none", as ngrok's clients send it). */
function refuseCertificates(body: Record<string, unknown>): void {
  for (const field of ["certificate_id", "certificate_management_policy"]) {
    if (body[field] !== undefined && body[field] !== null) {
      throw new ApiError(
        "ERR_BOTDESK_400",
        `${field}: Botdesk does not manage TLS certificates per reserved domain. Leave it out: the ingress serves every domain with the operator's certificate (BOTDESK_INGRESS_TLS_CERT).`,
        { field },
      );
    }
  }
}

/**
 * `/reserved_domains`: list and get (everyone in the account: people's and bots'
 * keys), create, update (description, metadata) and delete (owners' and
 * admins' keys), through the domain functions the Settings page calls.
 */
export const reservedDomainRoutes = {
  list: apiRoute("reserved_domains.list", async ({ actor, url, base }) => {
    const query = keysetQuery(url);
    const page = await listReservedDomainsBefore(actor, query);
    const items = page.rows.map((d) => reservedDomainJson(base, d));
    return Response.json(listBody("reserved_domains", items, { hasMore: page.hasMore, limit: query.limit }, base, "/reserved_domains", url));
  }),

  create: apiRoute("reserved_domains.create", async ({ actor, ctx, request, base }) => {
    requireManager(actor);
    const body = await readJsonBody(request);
    refuseCertificates(body);
    const input = validate(reservedDomainCreateSchema, body);
    const created = unwrap(await reserveDomain(actor, { domain: input.domain.domain, description: input.description, metadata: input.metadata, region: input.region }, ctx), NOT_ADMIN);
    return Response.json(reservedDomainJson(base, created), { status: 201 });
  }),

  get: apiRoute<{ id: string }>("reserved_domains.get", async ({ actor, params, base }) => {
    const found = await getReservedDomain(actor, pathId(params.id));
    if (!found) throw notFound();
    return Response.json(reservedDomainJson(base, found));
  }),

  update: apiRoute<{ id: string }>("reserved_domains.update", async ({ actor, ctx, request, params, base }) => {
    const id = pathId(params.id);
    if (!(await getReservedDomain(actor, id))) throw notFound();
    requireManager(actor);
    const body = await readJsonBody(request);
    if (body.domain !== undefined) throw new ApiError("ERR_BOTDESK_400", "domain: a reservation's name never changes: release it and reserve another.", { field: "domain" });
    refuseCertificates(body);
    validate(reservedDomainUpdateSchema, body);
    const updated = unwrap(await updateReservedDomain(actor, { id, description: body.description, metadata: body.metadata }, ctx), NOT_ADMIN);
    return Response.json(reservedDomainJson(base, updated));
  }),

  remove: apiRoute<{ id: string }>("reserved_domains.delete", async ({ actor, ctx, params }) => {
    const id = pathId(params.id);
    if (!(await getReservedDomain(actor, id))) throw notFound();
    requireManager(actor);
    unwrap(await deleteReservedDomain(actor, { id }, ctx), NOT_ADMIN);
    return NO_CONTENT();
  }),
};
