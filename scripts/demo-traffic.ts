/**
 * Live demo traffic against a running Botdesk:
 * `npm run demo:traffic -- --url http://localhost:3000 --password <admin password>`.
 *
 * It signs in as an owner or admin (--email, default admin@example.com, and
 * --password; or takes an admin's API key with --api-key), makes itself an API
 * key with that session (POST /settings/api-keys, as Settings' "Create
 * credential" does), and through the REST API gives up to three active
 * bots fresh credentials (an API key, an authtoken whose ACL allows
 * `*.demo.botdesk.test`, and for the first bot an SSH key), reserves
 * `*.demo.botdesk.test` for the account (agents bind only reserved names), then for
 * `--duration` seconds runs integrations, each attributed to its bot:
 *   - API calls with each bot's key (lists, its usage, a credential update now and then);
 *   - a real ngrok agent per bot: ngrok's own agent SDK (@ngrok/ngrok) with the bot's
 *     authtoken connects to the agent listener (server_addr <url's host>:--agent-port,
 *     trusting the CA at GET /agent-ca.pem) and forwards `<bot>.demo.botdesk.test` to a
 *     small HTTP service this script runs; real HTTP requests go through the ingress
 *     (sent to the url's host at --ingress-port with the endpoint's Host header: Node does
 *     not resolve *.localhost, and the demo names resolve nowhere), so the bot's page shows
 *     the session carrying bytes and requests. The last bot also tries a bind outside its
 *     ACL (refused, ERR_NGROK_308, recorded as agent.bind_refused);
 *   - an SSH session through the system `ssh` client (`-R 0:localhost:8080`), when there is one.
 * Sessions are closed at the end (Ctrl-C too); the credentials stay, described "demo traffic".
 *
 * Options: --url (default http://localhost:3000), --email and --password (or
 * BOTDESK_ADMIN_PASSWORD), or --api-key (or BOTDESK_API_KEY) instead of them,
 * --duration seconds (default 180), --agent-port (default 4443) and --ingress-port
 * (default 8000), as `npm start` serves them (BOTDESK_AGENT_PORT, BOTDESK_INGRESS_PORT),
 * --ssh-port (default 2222; `off` to skip SSH).
 */
import ngrok from "@ngrok/ngrok";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values: opts } = parseArgs({
  options: {
    url: { type: "string", default: process.env.BOTDESK_URL ?? "http://localhost:3000" },
    "api-key": { type: "string", default: process.env.BOTDESK_API_KEY ?? "" },
    email: { type: "string", default: "admin@example.com" },
    password: { type: "string", default: process.env.BOTDESK_ADMIN_PASSWORD ?? "" },
    duration: { type: "string", default: "180" },
    "agent-port": { type: "string", default: "4443" },
    "ingress-port": { type: "string", default: "8000" },
    "ssh-port": { type: "string", default: process.env.BOTDESK_SSH_PORT ?? "2222" },
  },
});

const origin = opts.url!.replace(/\/+$/, "");
const API = `${origin}/api/v1`;
const HOST = new URL(origin).hostname;
/** Where the agents connect (ngrok's server_addr) and where the demo's requests enter. */
const SERVER_ADDR = `${HOST.includes(":") ? `[${HOST}]` : HOST}:${Number(opts["agent-port"])}`;
const INGRESS_PORT = Number(opts["ingress-port"]);
const durationMs = Math.max(5, Number(opts.duration) || 180) * 1000;
const log = (line: string) => console.log(`[demo ${new Date().toISOString().slice(11, 19)}] ${line}`);

if (!opts["api-key"] && !opts.password) {
  console.error(`Sign in as an owner or admin of the account, or give such a person's API key:
  npm run demo:traffic -- --url ${origin} --password <password>   (--email, default admin@example.com; or BOTDESK_ADMIN_PASSWORD)
  BOTDESK_API_KEY=bdak_… npm run demo:traffic -- --url ${origin}   (or --api-key; create one at ${origin}/settings)`);
  process.exit(2);
}

type Json = Record<string, unknown>;
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {
    super(`${status} ${String(body.error_code ?? "")} ${String(body.msg ?? "")}`);
  }
}

async function request(url: string, token: string, method = "GET", body?: unknown): Promise<Json> {
  const res = await fetch(url, {
    method,
    headers: { Authorization: `Bearer ${token}`, "Ngrok-Version": "2", ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Json) : {};
  if (!res.ok) throw new HttpError(res.status, json);
  return json;
}
const api = (token: string, method: string, p: string, body?: unknown) => request(`${API}${p}`, token, method, body);

/** The cookies a response sets, as `name=value` pairs to send back. */
const cookiesOf = (res: Response, jar: Map<string, string>) => {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const at = pair!.indexOf("=");
    if (at > 0) jar.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
};
const cookieHeader = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

/**
 * Signs in with the email and password through Auth.js (the sign-in page's own check: rate
 * limits, deactivated people refused), then makes an API key for that person with the session.
 */
async function apiKeyFromPassword(email: string, password: string): Promise<string> {
  const jar = new Map<string, string>();
  const csrf = await fetch(`${origin}/api/auth/csrf`);
  cookiesOf(csrf, jar);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const signIn = await fetch(`${origin}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookieHeader(jar) },
    body: new URLSearchParams({ csrfToken, login: email, password }),
  });
  cookiesOf(signIn, jar);
  const refused = new URL(signIn.headers.get("location") ?? origin, origin).searchParams.get("code");
  if (refused || ![...jar.keys()].some((k) => k.endsWith("session-token"))) throw new Error(`signing in as ${email} was refused (${refused ?? signIn.status})`);
  const made = await fetch(`${origin}/settings/api-keys`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Cookie: cookieHeader(jar), Origin: origin },
    body: JSON.stringify({ description: `demo traffic ${stamp} (demo:traffic's own key)` }),
  });
  const body = (await made.json()) as { token?: string; id?: string; error?: string };
  if (made.status !== 201 || !body.token) throw new Error(`making an API key for ${email} was refused: ${made.status} ${body.error ?? ""}`);
  log(`signed in as ${email}; made API key ${body.id} for this run`);
  return body.token;
}

let adminKey = opts["api-key"]!;
const stamp = `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`;
const DOMAIN = "demo.botdesk.test";

interface DemoBot {
  id: string;
  name: string;
  apiKey: { id: string; token: string };
  authtoken: { id: string; token: string };
  agent: ngrok.Session | null;
}

async function setUp(): Promise<DemoBot[]> {
  // Agents bind only hostnames their account reserved: the demo's are under *.DOMAIN (kept, like the credentials).
  try {
    await api(adminKey, "POST", "/reserved_domains", { domain: `*.${DOMAIN}`, description: "demo traffic" });
    log(`reserved *.${DOMAIN} for the account`);
  } catch (error) {
    if (!(error instanceof HttpError && error.body.error_code === "ERR_NGROK_413")) throw error;
  }
  const listed = (await api(adminKey, "GET", "/bot_users?limit=100")) as { bot_users: { id: string; name: string; active: boolean }[] };
  let bots = listed.bot_users.filter((b) => b.active).slice(0, 3);
  if (bots.length === 0) {
    const created = (await api(adminKey, "POST", "/bot_users", { name: `demo-traffic ${stamp}` })) as { id: string; name: string };
    bots = [{ ...created, active: true }];
    log(`no active bot: created "${created.name}"`);
  }
  const out: DemoBot[] = [];
  for (const bot of bots) {
    const description = `demo traffic ${stamp}`;
    const apiKey = (await api(adminKey, "POST", "/api_keys", { owner_id: bot.id, description })) as { id: string; token: string };
    const authtoken = (await api(adminKey, "POST", "/credentials", {
      owner_id: bot.id,
      description,
      acl: [`bind:*.${DOMAIN}`],
    })) as { id: string; token: string };
    log(`${bot.name}: API key ${apiKey.id} and authtoken ${authtoken.id} (ACL *.${DOMAIN})`);
    out.push({ id: bot.id, name: bot.name, apiKey, authtoken, agent: null });
  }
  return out;
}

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "bot";
const rand = (n: number) => Math.floor(Math.random() * n);

/** The CA the agent listener's certificate is signed by (GET /agent-ca.pem), or null when the operator's own certificate is served (trusted as any). */
async function agentCa(): Promise<Buffer | null> {
  const res = await fetch(`${origin}/agent-ca.pem`);
  return res.ok ? Buffer.from(await res.text()) : null;
}

/** The service the agents forward to: answers each request with a page of random size (so traffic varies), echoing what it was sent. */
async function startLocalService(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    let received = 0;
    req.on("data", (c: Buffer) => (received += c.length));
    req.on("end", () => {
      const page = randomBytes(500 + rand(40_000)).toString("base64");
      res.writeHead(200, { "content-type": "text/plain" });
      res.end(`demo service: ${req.method} ${req.url} (${received} bytes received)\n${page}\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/** One request through the ingress to `url` (an endpoint's public URL): to HOST:--ingress-port, the endpoint named by the Host header. */
function throughIngress(url: URL, method: string, pathname: string, body: Buffer | null, ca: Buffer | null): Promise<number> {
  const secure = url.protocol === "https:";
  const client = secure ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      { host: HOST, port: INGRESS_PORT, method, path: pathname, headers: { Host: url.host, ...(body ? { "content-type": "application/octet-stream" } : {}) }, ...(secure ? { servername: url.hostname, ...(ca ? { ca } : {}) } : {}), timeout: 10_000 },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("timeout", () => req.destroy(new Error("no answer in 10 s")));
    req.on("error", reject);
    req.end(body ?? undefined);
  });
}

/** The ERR_NGROK_<n> of a refusal, as the SDK reports it. */
const ngrokCode = (error: unknown) => (error as { errorCode?: string }).errorCode ?? /ERR_NGROK_\d+/.exec(String((error as Error).message))?.[0] ?? String(error);

/**
 * One bot's ngrok agent: @ngrok/ngrok with the bot's authtoken forwards its demo name to the local service
 * (and, for `tryOutside`, asks for a name outside its ACL, refused); then real requests through the ingress.
 */
async function runAgent(bot: DemoBot, local: http.Server, ca: Buffer | null, tryOutside: boolean, until: number): Promise<void> {
  let builder = new ngrok.SessionBuilder().authtoken(bot.authtoken.token).serverAddr(SERVER_ADDR).metadata(`demo worker for ${bot.name}`);
  if (ca) builder = builder.caCert(ca);
  const session = await builder.connect();
  bot.agent = session;
  const forwardTo = `http://127.0.0.1:${(local.address() as AddressInfo).port}`;
  const listener = await session.httpEndpoint().domain(`${slug(bot.name)}.${DOMAIN}`).listenAndForward(forwardTo);
  const url = new URL(listener.url()!);
  log(`${bot.name}: ngrok agent (authtoken ${bot.authtoken.id}) connected to ${SERVER_ADDR}, forwarding ${url.origin} to ${forwardTo}`);
  if (tryOutside) {
    try {
      await session.httpEndpoint().domain("payments.not-allowed.example").listenAndForward(forwardTo);
      log(`${bot.name}: the bind outside its ACL was accepted?!`);
    } catch (error) {
      log(`${bot.name}: bind of payments.not-allowed.example refused as expected (${ngrokCode(error)})`);
    }
  }
  let sent = 0;
  let failed = 0;
  while (Date.now() < until) {
    await sleep(500 + rand(1500));
    const post = rand(4) === 0;
    const paths = ["/", "/orders", "/orders/42", "/invoices?page=2", "/health"];
    try {
      const status = await throughIngress(url, post ? "POST" : "GET", paths[rand(paths.length)]!, post ? randomBytes(200 + rand(20_000)) : null, ca);
      sent++;
      // A bot deactivated meanwhile: Botdesk ends its session and the endpoint goes offline (404, ERR_NGROK_3200).
      if (status === 404) {
        log(`${bot.name}: ${url.host} went offline (its session was ended by Botdesk)`);
        break;
      }
    } catch (error) {
      if (++failed === 3) {
        log(`${bot.name}: requests through the ingress at ${HOST}:${INGRESS_PORT} fail (${error instanceof Error ? error.message : String(error)}): is --ingress-port right?`);
        break;
      }
    }
  }
  log(`${bot.name}: ${sent} requests through the ingress to ${url.host}`);
}

/** One bot's API integration: polls lists and its usage, and now and then notes something on its own authtoken. */
async function runApi(bot: DemoBot, until: number): Promise<void> {
  let n = 0;
  while (Date.now() < until) {
    await sleep(4000 + rand(4000));
    try {
      const paths = ["/bot_users?limit=5", "/credentials?limit=10", "/tunnel_sessions?limit=10", `/usage?principal_id=${bot.id}`, `/events?bot_id=${bot.id}&limit=5`];
      await api(bot.apiKey.token, "GET", paths[n % paths.length]!);
      if (n % 6 === 5) await api(bot.apiKey.token, "PATCH", `/credentials/${bot.authtoken.id}`, { metadata: `last deploy ${new Date().toISOString()}` });
      n++;
    } catch (error) {
      log(`${bot.name}: API call refused: ${error instanceof Error ? error.message : String(error)}`);
      if (error instanceof HttpError && error.status === 429) await sleep(10_000);
      else if (error instanceof HttpError && (error.status === 401 || error.status === 403)) return;
    }
  }
  log(`${bot.name}: ${n} API calls`);
}

/** An SSH session through the system's `ssh`, with a key registered for the bot through the API. */
async function startSsh(bot: DemoBot): Promise<{ proc: ChildProcess; dir: string } | null> {
  if (opts["ssh-port"] === "off") return null;
  if (spawnSync("ssh", ["-V"]).error || spawnSync("ssh-keygen", ["-?"]).error) {
    log("no ssh client here: skipping the SSH session");
    return null;
  }
  const dir = mkdtempSync(path.join(tmpdir(), "botdesk-demo-ssh-"));
  const file = path.join(dir, "id_ed25519");
  spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", `demo@${slug(bot.name)}`, "-f", file]);
  const publicKey = readFileSync(`${file}.pub`, "utf8").trim();
  const created = (await api(adminKey, "POST", "/ssh_credentials", { owner_id: bot.id, public_key: publicKey, description: `demo traffic ${stamp}` })) as { id: string };
  const host = new URL(origin).hostname;
  const args = ["-F", "/dev/null", "-i", file, "-p", opts["ssh-port"]!, "-T", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
    "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "ExitOnForwardFailure=yes", "-o", "LogLevel=ERROR", "-o", "ServerAliveInterval=15",
    "-R", "0:localhost:8080", `agent@${host}`];
  const proc = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
  const say = (d: Buffer) => d.toString().split(/\r?\n/).filter(Boolean).forEach((l) => log(`ssh (${bot.name}, key ${created.id}): ${l}`));
  proc.stdout!.on("data", say);
  proc.stderr!.on("data", say);
  proc.on("exit", (code) => log(finishing ? "ssh session closed" : `ssh exited (${code}): the SSH session has ended`));
  return { proc, dir };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Set once the run ends its sessions (the ssh client is then stopped on purpose). */
let finishing = false;

async function main() {
  log(`Botdesk at ${origin}, for ${durationMs / 1000} s`);
  if (!adminKey) adminKey = await apiKeyFromPassword(opts.email!, opts.password!);
  const bots = await setUp();
  const ca = await agentCa();
  const local = await startLocalService();
  const until = Date.now() + durationMs;
  const ssh = await startSsh(bots[0]!).catch((error: unknown) => {
    log(`SSH session not started: ${error instanceof Error ? error.message : String(error)}`);
    return null;
  });
  let stopping = false;
  const finish = async () => {
    if (stopping) return;
    stopping = true;
    finishing = true;
    // Closed, an agent's session ends (agent_closed) and the SDK stops reconnecting.
    await Promise.all(bots.map((bot) => bot.agent?.close().catch(() => undefined)));
    local.close();
    if (ssh) {
      const exited = ssh.proc.exitCode !== null ? Promise.resolve() : new Promise<void>((resolve) => ssh.proc.once("exit", () => resolve()));
      ssh.proc.stdin?.end();
      ssh.proc.kill("SIGTERM");
      await Promise.race([exited, sleep(5000)]);
      rmSync(ssh.dir, { recursive: true, force: true });
    }
  };
  process.once("SIGINT", () => void finish().then(() => process.exit(130)));
  await Promise.all(bots.flatMap((bot, i) => [runAgent(bot, local, ca, i === bots.length - 1, until).catch((e: unknown) => log(`${bot.name}: agent failed: ${ngrokCode(e)} ${e instanceof Error ? e.message : ""}`)), runApi(bot, until)]));
  await finish();
  log(`done. In the dashboard: ${origin}/users/bots/${bots[0]!.id} (Sessions, activity, last activity), ${origin}/activity?source=agent and ?type=agent.bind_refused, ${origin}/usage.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof HttpError ? `Botdesk refused: ${error.message}` : error instanceof Error ? `demo:traffic stopped: ${error.message}` : error);
  process.exit(1);
});
