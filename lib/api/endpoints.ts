import { getOnlineEndpoint, listOnlineEndpoints, type OnlineEndpointView } from "@/lib/domain/agent-sessions/list-online-endpoints";
import { ApiError } from "./errors";
import { keysetQuery, listBody, pathId } from "./request";
import { apiRoute } from "./route";

const DEFAULT_PORTS: Record<string, number> = { http: 80, https: 443, tls: 443 };

/** An endpoint as ngrok's API shows it (type `ephemeral`: bound by an agent), with the fields Botdesk has; the others null. */
export function endpointJson(base: string, e: OnlineEndpointView) {
  const url = new URL(e.url);
  const scheme = url.protocol.replace(/:$/, "");
  const port = url.port ? Number(url.port) : (DEFAULT_PORTS[scheme] ?? 0);
  const at = e.createdAt.toISOString();
  return {
    id: e.id,
    uri: `${base}/endpoints/${e.id}`,
    region: e.session.region,
    created_at: at,
    updated_at: at,
    public_url: e.url,
    url: e.url,
    proto: scheme,
    scheme,
    hostport: `${url.hostname}:${port}`,
    host: url.hostname,
    port,
    type: "ephemeral",
    description: "",
    metadata: "",
    domain: e.domain ? { id: e.domain.id, uri: `${base}/reserved_domains/${e.domain.id}` } : null,
    tcp_addr: null,
    tunnel: null,
    edge: null,
    principal: { id: e.principal.id, uri: e.principal.kind === "bot" ? `${base}/bot_users/${e.principal.id}` : null },
    tunnel_session: { id: e.session.id, uri: `${base}/tunnel_sessions/${e.session.id}` },
    bindings: ["public"],
    pooling_enabled: false,
  };
}

/**
 * `/endpoints`: what is online in the account (open endpoints with a URL),
 * newest first, and one by id; visible as their sessions are
 * (listOnlineEndpoints). An endpoint that went offline is not found.
 */
export const endpointRoutes = {
  list: apiRoute("endpoints.list", async ({ actor, url, base }) => {
    const query = keysetQuery(url);
    const page = await listOnlineEndpoints(actor, query);
    const items = page.rows.map((e) => endpointJson(base, e));
    return Response.json(listBody("endpoints", items, { hasMore: page.hasMore, limit: query.limit }, base, "/endpoints", url));
  }),
  get: apiRoute<{ id: string }>("endpoints.get", async ({ actor, params, base }) => {
    const found = await getOnlineEndpoint(actor, pathId(params.id));
    if (!found) throw new ApiError("ERR_BOTDESK_404", "Endpoint not found (or no longer online).");
    return Response.json(endpointJson(base, found));
  }),
};
