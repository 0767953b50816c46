import * as unknownRoute from "../[...path]/route";
import * as item from "../sessions/[id]/route";
import * as endpoints from "../sessions/[id]/endpoints/route";
import * as heartbeat from "../sessions/[id]/heartbeat/route";
import * as traffic from "../sessions/[id]/traffic/route";
import * as sessions from "../sessions/route";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { db } from "@/lib/db/client";
import { actorOf, createTestAccount, createTestBot } from "@/lib/test-support/factories";

type Handler = (request: Request, context: { params: Promise<never> }) => Response | Promise<Response>;
type Module = Partial<Record<"GET" | "POST" | "DELETE" | "PATCH", Handler>>;

export const ORIGIN = "http://botdesk.test";

export interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/** The module Next.js would route `/agent/v1<path>` to, and its params. */
function route(path: string): [Module, Record<string, unknown>] {
  const parts = path.split("/").filter(Boolean);
  if (parts[0] === "sessions") {
    if (parts.length === 1) return [sessions, {}];
    const id = parts[1]!;
    if (parts.length === 2) return [item, { id }];
    if (parts.length === 3) {
      const sub = { endpoints, heartbeat, traffic }[parts[2]!];
      if (sub) return [sub, { id }];
    }
  }
  return [unknownRoute, { path: parts }];
}

/** Calls the exported route handler Next.js would call for `METHOD /agent/v1<path>`, with a real Request. */
export async function agent(method: "GET" | "POST" | "DELETE" | "PATCH", path: string, opts: { token?: string | null; body?: unknown } = {}): Promise<Answer> {
  const [module, params] = route(path);
  const handler = (module[method] ?? (unknownRoute as Module)[method])!;
  const headers: Record<string, string> = {};
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  const request = new Request(new URL(`/agent/v1${path}`, ORIGIN), { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const response = await handler(request, { params: Promise.resolve(params) as never });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

export const AGENT = { agent_version: "3.18.4", os: "linux", arch: "amd64", metadata: "billing worker 2" };

/** An account with an owner and a bot holding an authtoken with `acl`. */
export async function agentAccount(acl: string[] = []) {
  const { account, owner } = await createTestAccount();
  const ownerActor = actorOf(account, owner, "owner");
  const bot = await createTestBot(account.id);
  const token = await authtokenFor(ownerActor, bot.id, acl);
  return { account, owner, ownerActor, bot, token };
}

export async function authtokenFor(admin: ReturnType<typeof actorOf>, ownerId: string, acl: string[] = [], kind: "authtoken" | "api_key" = "authtoken") {
  const result = await createCredential(admin, kind === "authtoken" ? { kind, ownerId, acl } : { kind, ownerId }, { ip: null, userAgent: null });
  if (!result.ok || !result.data.token) throw new Error(`could not create an authtoken: ${JSON.stringify(result)}`);
  return { id: result.data.credential.id, token: result.data.token };
}

/** Starts a session and returns its id. */
export async function startedSession(token: string): Promise<string> {
  const answer = await agent("POST", "/sessions", { token, body: AGENT });
  if (answer.status !== 201) throw new Error(`could not start a session: ${JSON.stringify(answer.body)}`);
  return answer.body.id as string;
}

export const eventsOf = (accountId: string, type: string) => db().event.findMany({ where: { accountId, type }, orderBy: { id: "asc" } });
