import { z } from "zod";
import {
  apiErrorSchema,
  apiKeyCreateSchema,
  apiKeySchema,
  apiKeyUpdateSchema,
  botUserCreateSchema,
  botUserSchema,
  botUserUpdateSchema,
  credentialCreateSchema,
  credentialSchema,
  credentialUpdateSchema,
  endpointSchema,
  eventDestinationCreateSchema,
  eventDestinationSchema,
  eventDestinationUpdateSchema,
  eventSchema,
  eventSourceCreateSchema,
  eventSourceSchema,
  eventSubscriptionCreateSchema,
  eventSubscriptionSchema,
  eventSubscriptionUpdateSchema,
  eventsListQuerySchema,
  listQuerySchema,
  reservedDomainCreateSchema,
  reservedDomainSchema,
  reservedDomainUpdateSchema,
  sshCredentialCreateSchema,
  sshCredentialSchema,
  sshCredentialUpdateSchema,
  tunnelSessionSchema,
  usageQuerySchema,
  usageSchema,
} from "@/lib/validation/api";
import { API_ERRORS } from "./errors";

type Json = Record<string, unknown>;

/** JSON Schema (2020-12, OpenAPI 3.1's dialect) of what a client sends (`input`) or gets (`output`). */
function schema(s: z.ZodType, io: "input" | "output"): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: "any" }) as Json;
  void _drop;
  return rest;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (body: Json) => ({ content: { "application/json": { schema: body } } });
const errorResponse = (description: string) => ({ description, ...json(ref("Error")) });

const RESOURCES = [
  { path: "bot_users", tag: "Bot users", object: "BotUser", listKey: "bot_users", create: botUserCreateSchema, update: botUserUpdateSchema },
  { path: "service_users", tag: "Bot users", object: "BotUser", listKey: "service_users", create: botUserCreateSchema, update: botUserUpdateSchema },
  { path: "api_keys", tag: "API keys", object: "APIKey", listKey: "keys", create: apiKeyCreateSchema, update: apiKeyUpdateSchema },
  { path: "credentials", tag: "Authtokens", object: "Credential", listKey: "credentials", create: credentialCreateSchema, update: credentialUpdateSchema },
  {
    path: "ssh_credentials",
    tag: "SSH credentials",
    object: "SSHCredential",
    listKey: "ssh_credentials",
    create: sshCredentialCreateSchema,
    update: sshCredentialUpdateSchema,
  },
  {
    path: "reserved_domains",
    tag: "Reserved domains",
    object: "ReservedDomain",
    listKey: "reserved_domains",
    create: reservedDomainCreateSchema,
    update: reservedDomainUpdateSchema,
  },
  {
    path: "event_destinations",
    tag: "Event streams",
    object: "EventDestination",
    listKey: "event_destinations",
    create: eventDestinationCreateSchema,
    update: eventDestinationUpdateSchema,
  },
  {
    path: "event_subscriptions",
    tag: "Event streams",
    object: "EventSubscription",
    listKey: "event_subscriptions",
    create: eventSubscriptionCreateSchema,
    update: eventSubscriptionUpdateSchema,
  },
] as const;

/** What PATCH and DELETE do, per resource. */
const ITEM_SUMMARIES: Record<(typeof RESOURCES)[number]["path"], { update: string; remove: string; create?: string }> = {
  bot_users: { update: "Rename and/or (de)activate", remove: "Delete, revoking every credential it owns" },
  service_users: { update: "Rename and/or (de)activate", remove: "Delete, revoking every credential it owns" },
  api_keys: { update: "Change description or metadata (never the owner)", remove: "Revoke", create: "Create one; its token (secret) is in this answer only" },
  credentials: { update: "Change description, metadata or ACL (never the owner)", remove: "Revoke", create: "Create one; its token (secret) is in this answer only" },
  ssh_credentials: { update: "Change description, metadata or ACL (never the owner)", remove: "Revoke", create: "Create one; its token (secret) is in this answer only" },
  reserved_domains: {
    update: "Change description or metadata (never the name); owners and admins",
    remove: "Release it (endpoints online under it stay until their sessions end); owners and admins",
    create: "Reserve an exact name or a wildcard for the account; owners and admins",
  },
  event_destinations: {
    update: "Change description, metadata or target (never its kind; a webhook keeps its secret); owners and admins",
    remove: "Remove it and its undelivered messages; owners and admins",
    create: "Add a webhook (its signing secret is in this answer only) or Datadog target; owners and admins",
  },
  event_subscriptions: {
    update: "Change description, metadata, sources or destination_ids (lists replace); owners and admins",
    remove: "Remove it (messages already queued are still sent); owners and admins",
    create: "Send events of these types to these destinations; owners and admins",
  },
};

const listParameters = (query: z.ZodType = listQuerySchema) =>
  Object.entries((schema(query, "input").properties ?? {}) as Record<string, Json>).map(([name, s]) => ({
    name,
    in: "query",
    required: false,
    description: s.description,
    schema: { ...s, description: undefined },
  }));

const COMMON_ERRORS = {
  "401": errorResponse("No API key, or a refused one (ERR_NGROK_107, ERR_NGROK_300, ERR_BOTDESK_100/301/302)"),
  "403": errorResponse("The key's owner is deactivated (ERR_NGROK_636), or may not do this (ERR_NGROK_4111, ERR_BOTDESK_4113, ERR_BOTDESK_4114, ERR_BOTDESK_4115)"),
  "429": errorResponse("Rate limited (ERR_BOTDESK_429); see Retry-After"),
};

/** Stands for the server's URL in the document built once (it is the only thing that differs per request). */
const SERVER_URL = "https://botdesk.invalid/api/v1";
let built: { doc: Json; json: string } | null = null;

/** The document, built on first use and then kept for the process: it depends on the code only, not on the request. */
function builtDocument(): { doc: Json; json: string } {
  if (!built) {
    const doc = buildDocument(SERVER_URL);
    built = { doc, json: JSON.stringify(doc) };
  }
  return built;
}

/**
 * The OpenAPI 3.1 document of /api/v1, generated from the zod schemas the
 * handlers validate requests with (lib/validation/api.ts) and the error table
 * (lib/api/errors.ts), so it cannot drift from what the API enforces. Built
 * once per process; the result shares everything but `servers` with every
 * other call: read it, never change it.
 */
export function openApiDocument(serverUrl: string): Json {
  return { ...builtDocument().doc, servers: [{ url: serverUrl }] };
}

/** openApiDocument as JSON text, from the text serialized once (the server's URL put in). */
export function openApiJson(serverUrl: string): string {
  return builtDocument().json.replace(JSON.stringify(SERVER_URL), () => JSON.stringify(serverUrl));
}

function buildDocument(serverUrl: string): Json {
  const paths: Json = {};
  for (const r of RESOURCES) {
    paths[`/${r.path}`] = {
      get: {
        tags: [r.tag],
        operationId: `${r.path}.list`,
        summary: `List ${r.tag.toLowerCase()}, newest first`,
        parameters: listParameters(),
        responses: {
          "200": {
            description: "One page",
            ...json({
              type: "object",
              required: [r.listKey, "uri", "next_page_uri"],
              properties: { [r.listKey]: { type: "array", items: ref(r.object) }, uri: { type: "string" }, next_page_uri: { type: ["string", "null"] } },
            }),
          },
          "400": errorResponse("Invalid before_id or limit"),
          ...COMMON_ERRORS,
        },
      },
      post: {
        tags: [r.tag],
        operationId: `${r.path}.create`,
        summary: ITEM_SUMMARIES[r.path].create ?? "Create one",
        requestBody: { required: true, ...json(schema(r.create, "input")) },
        responses: {
          "201": { description: "Created", ...json(ref(r.object)) },
          "400": errorResponse(r.path === "reserved_domains" ? "Invalid input (details.field names the field), or the tunnel domain (ERR_NGROK_404, ERR_NGROK_416)" : "Invalid input: details.field names the field"),
          ...(r.path === "reserved_domains" ? { "409": errorResponse("Reserved already by this account (ERR_NGROK_413), overlapping another account's reservation (ERR_NGROK_414, ERR_NGROK_417), or in use by another account's endpoint (ERR_NGROK_430)") } : {}),
          ...COMMON_ERRORS,
        },
      },
    };
    const id = { name: "id", in: "path", required: true, schema: { type: "string" } };
    paths[`/${r.path}/{id}`] = {
      parameters: [id],
      get: { tags: [r.tag], operationId: `${r.path}.get`, summary: "Get one by id", responses: { "200": { description: "Found", ...json(ref(r.object)) }, "404": errorResponse("Not found"), ...COMMON_ERRORS } },
      patch: {
        tags: [r.tag],
        operationId: `${r.path}.update`,
        summary: ITEM_SUMMARIES[r.path].update,
        requestBody: { required: true, ...json(schema(r.update, "input")) },
        responses: { "200": { description: "Updated", ...json(ref(r.object)) }, "400": errorResponse("Invalid input"), "404": errorResponse("Not found"), ...COMMON_ERRORS },
      },
      delete: {
        tags: [r.tag],
        operationId: `${r.path}.delete`,
        summary: ITEM_SUMMARIES[r.path].remove,
        responses: { "204": { description: "Deleted (credentials: revoked; domains: released); empty body" }, "404": errorResponse("Not found"), ...COMMON_ERRORS },
      },
    };
  }
  // Read-only resources: tunnel sessions (ngrok's), and Botdesk's own events and usage.
  const list = (tag: string, operationId: string, summary: string, listKey: string, object: string, query?: z.ZodType) => ({
    get: {
      tags: [tag],
      operationId,
      summary,
      parameters: listParameters(query),
      responses: {
        "200": {
          description: "One page",
          ...json({
            type: "object",
            required: [listKey, "uri", "next_page_uri"],
            properties: { [listKey]: { type: "array", items: ref(object) }, uri: { type: "string" }, next_page_uri: { type: ["string", "null"] } },
          }),
        },
        "400": errorResponse("Invalid query: details.field names the parameter"),
        ...COMMON_ERRORS,
      },
    },
  });
  const item = (tag: string, operationId: string, object: string) => ({
    parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
    get: { tags: [tag], operationId, responses: { "200": { description: "Found", ...json(ref(object)) }, "404": errorResponse("Not found"), ...COMMON_ERRORS } },
  });
  paths["/tunnel_sessions"] = list("Tunnel sessions", "tunnel_sessions.list", "List agent sessions (HTTP and SSH), newest first, open and ended", "tunnel_sessions", "TunnelSession");
  paths["/tunnel_sessions/{id}"] = item("Tunnel sessions", "tunnel_sessions.get", "TunnelSession");
  paths["/tunnel_sessions/{id}/stop"] = {
    parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
    post: {
      tags: ["Tunnel sessions"],
      operationId: "tunnel_sessions.stop",
      summary: "Stop a session: recorded as ended (reason stopped) and closed by the instance holding it at once; the credential stays good, so the agent may connect again as a new session. Owners' and admins' keys: any session; others: their own",
      responses: { "204": { description: "Stopped (or already ended); empty body" }, "404": errorResponse("Not found, or not a session this key may stop"), ...COMMON_ERRORS },
    },
  };
  paths["/endpoints"] = list("Endpoints", "endpoints.list", "List the endpoints online now (open binds with a URL), newest first", "endpoints", "Endpoint");
  paths["/endpoints/{id}"] = item("Endpoints", "endpoints.get", "Endpoint");
  paths["/events"] = list("Events", "events.list", "List the account's activity, newest first, filtered like the activity page", "events", "Event", eventsListQuerySchema);
  paths["/events/{id}"] = item("Events", "events.get", "Event");
  const typeParameter = { name: "type", in: "path", required: true, schema: { type: "string" } };
  paths["/event_subscriptions/{id}/sources"] = {
    parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
    get: {
      tags: ["Event streams"],
      operationId: "event_sources.list",
      summary: "A subscription's sources (event types)",
      responses: {
        "200": { description: "Every source", ...json({ type: "object", properties: { sources: { type: "array", items: ref("EventSource") }, uri: { type: "string" } } }) },
        "404": errorResponse("Not found"),
        ...COMMON_ERRORS,
      },
    },
    post: {
      tags: ["Event streams"],
      operationId: "event_sources.create",
      summary: "Add an event type to the subscription",
      requestBody: { required: true, ...json(schema(eventSourceCreateSchema, "input")) },
      responses: { "201": { description: "Added", ...json(ref("EventSource")) }, "400": errorResponse("Not an event type Botdesk sends"), "404": errorResponse("Not found"), ...COMMON_ERRORS },
    },
  };
  paths["/event_subscriptions/{id}/sources/{type}"] = {
    parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }, typeParameter],
    get: { tags: ["Event streams"], operationId: "event_sources.get", summary: "One source", responses: { "200": { description: "Found", ...json(ref("EventSource")) }, "404": errorResponse("Not found"), ...COMMON_ERRORS } },
    patch: { tags: ["Event streams"], operationId: "event_sources.update", summary: "Changes nothing (a source is its type), as ngrok's", responses: { "200": { description: "The source", ...json(ref("EventSource")) }, "404": errorResponse("Not found"), ...COMMON_ERRORS } },
    delete: { tags: ["Event streams"], operationId: "event_sources.delete", summary: "Remove the event type from the subscription", responses: { "204": { description: "Removed; empty body" }, "404": errorResponse("Not found"), ...COMMON_ERRORS } },
  };
  paths["/usage"] = {
    get: {
      tags: ["Usage"],
      operationId: "usage.get",
      summary: "This month's usage so far (UTC), per principal, most bytes first, a page at a time, with the total",
      parameters: listParameters(usageQuerySchema),
      responses: { "200": { description: "The month so far", ...json(ref("Usage")) }, "400": errorResponse("Invalid principal_id, limit or after"), ...COMMON_ERRORS },
    },
  };
  return {
    openapi: "3.1.0",
    info: {
      title: "Botdesk API",
      version: "1",
      description: "ngrok API v2-compatible management of bot users and their credentials, reserved domains, event streams, tunnel sessions and endpoints, activity and usage. Error codes: " +
        Object.entries(API_ERRORS).map(([code, e]) => `${code} (${e.status})`).join(", "),
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "An API key (bdak_…). Send Ngrok-Version: 2 or nothing." } },
      schemas: {
        BotUser: schema(botUserSchema, "output"),
        APIKey: schema(apiKeySchema, "output"),
        Credential: schema(credentialSchema, "output"),
        SSHCredential: schema(sshCredentialSchema, "output"),
        TunnelSession: schema(tunnelSessionSchema, "output"),
        ReservedDomain: schema(reservedDomainSchema, "output"),
        Endpoint: schema(endpointSchema, "output"),
        EventDestination: schema(eventDestinationSchema, "output"),
        EventSubscription: schema(eventSubscriptionSchema, "output"),
        EventSource: schema(eventSourceSchema, "output"),
        Event: schema(eventSchema, "output"),
        Usage: schema(usageSchema, "output"),
        Error: schema(apiErrorSchema, "output"),
      },
    },
  };
}
