import * as apiKeysItem from "../api_keys/[id]/route";
import * as apiKeys from "../api_keys/route";
import * as botUsersItem from "../bot_users/[id]/route";
import * as botUsers from "../bot_users/route";
import * as credentialsItem from "../credentials/[id]/route";
import * as credentials from "../credentials/route";
import * as serviceUsersItem from "../service_users/[id]/route";
import * as serviceUsers from "../service_users/route";
import * as sshCredentialsItem from "../ssh_credentials/[id]/route";
import * as sshCredentials from "../ssh_credentials/route";
import * as unknownRoute from "../[...path]/route";
import * as eventsItem from "../events/[id]/route";
import * as events from "../events/route";
import * as tunnelSessionsItem from "../tunnel_sessions/[id]/route";
import * as tunnelSessions from "../tunnel_sessions/route";
import * as usage from "../usage/route";
import type { Role } from "@/lib/db/generated/enums";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { actorOf, createTestAccount, createTestBot, createTestPerson } from "@/lib/test-support/factories";

type Handler = (request: Request, context: { params: Promise<never> }) => Response | Promise<Response>;
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Module = Partial<Record<Method, Handler>>;

/** The route modules by collection, as Next.js serves them (collection route, item route). */
const ROUTES: Record<string, [Module, Module]> = {
  bot_users: [botUsers, botUsersItem],
  service_users: [serviceUsers, serviceUsersItem],
  credentials: [credentials, credentialsItem],
  api_keys: [apiKeys, apiKeysItem],
  ssh_credentials: [sshCredentials, sshCredentialsItem],
  tunnel_sessions: [tunnelSessions, tunnelSessionsItem],
  events: [events, eventsItem],
  usage: [usage, {}],
};

export const ORIGIN = "http://botdesk.test";

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/**
 * Calls the exported route handler Next.js would call for `METHOD /api/v1<path>`,
 * with a real Request (bearer key, JSON body), and reads the answer.
 */
export async function call(
  method: Method,
  path: string,
  opts: { key?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const url = new URL(`/api/v1${path}`, ORIGIN);
  const [collection, id, ...rest] = url.pathname.slice("/api/v1/".length).split("/");
  const routes = collection ? ROUTES[collection] : undefined;
  const routeModule = routes && rest.length === 0 ? routes[id === undefined ? 0 : 1] : undefined;
  const handler = (routeModule?.[method] ?? (unknownRoute satisfies Module as Module)[method])!;
  const headers: Record<string, string> = { "Ngrok-Version": "2", ...opts.headers };
  if (opts.key) headers.Authorization = `Bearer ${opts.key}`;
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const request = new Request(url, { method, headers, body });
  const response = await handler(request, { params: Promise.resolve(id === undefined ? {} : { id, path: [collection!, id, ...rest] }) as never });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: text ? JSON.parse(text) : null };
}

/** An API key (its secret) for a principal, created the way the dashboard creates one. */
export async function apiKeyFor(admin: ReturnType<typeof actorOf>, ownerId: string): Promise<{ id: string; token: string }> {
  const result = await createCredential(admin, { kind: "api_key", ownerId }, { ip: null, userAgent: null });
  if (!result.ok || !result.data.token) throw new Error(`could not create a key: ${JSON.stringify(result)}`);
  return { id: result.data.credential.id, token: result.data.token };
}

/** An account with an owner, an admin, a member and a bot, each with an API key. */
export async function apiAccount() {
  const { account, owner } = await createTestAccount();
  const ownerActor = actorOf(account, owner, "owner");
  const person = async (role: Role) => {
    const p = await createTestPerson(account.id, role);
    return { principal: p, actor: actorOf(account, p, role), key: await apiKeyFor(ownerActor, p.id) };
  };
  const admin = await person("admin");
  const member = await person("member");
  const bot = await createTestBot(account.id);
  return {
    account,
    owner: { principal: owner, actor: ownerActor, key: await apiKeyFor(ownerActor, owner.id) },
    admin,
    member,
    bot: { principal: bot, key: await apiKeyFor(ownerActor, bot.id) },
  };
}
