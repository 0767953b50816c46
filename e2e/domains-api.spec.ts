import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Ngrok, type Endpoint } from "@ngrok/ngrok-api";
import { expect, test } from "@playwright/test";
import { issueSecret } from "../lib/domain/credentials/token-format";
import { newId } from "../lib/ids";
import { sshKeygen } from "../lib/test-support/ssh-keys";
import { E2E_PORT, E2E_SSH_PORT } from "./support/constants";
import { sql } from "./support/db";
import { acmeId, stamp } from "./support/users";

// Reserved domains and the endpoints online, through ngrok's own published
// JavaScript client (@ngrok/ngrok-api 0.11.0) pointed at the production server,
// and the bind rules through the real OpenSSH client (`ssh -R`).

const BASE = `http://localhost:${E2E_PORT}/api/v1`;

/** An API key of a principal, made as an admin with psql would (the secret is returned once). */
async function apiKeyFor(accountId: string, ownerId: string): Promise<string> {
  const id = newId("apiKey");
  const { token, hash, hint } = issueSecret("api_key", id);
  await sql`INSERT INTO credentials (id, account_id, kind, owner_id, description, secret_hash, secret_hint)
    VALUES (${id}, ${accountId}, 'api_key', ${ownerId}, 'e2e domains', ${hash}, ${hint})`;
  return token;
}

async function clientOf(email: string): Promise<Ngrok> {
  const [person] = await sql<{ id: string }>`SELECT id FROM principals WHERE email = ${email}`;
  return new Ngrok({ apiToken: await apiKeyFor(await acmeId(), person!.id), baseUrl: BASE });
}

/** An admin of a new account of its own: "another account". */
async function otherAccountClient(): Promise<Ngrok> {
  const accountId = newId("account");
  const personId = newId("person");
  await sql`INSERT INTO accounts (id, name, seat_limit) VALUES (${accountId}, ${`E2E other ${stamp()}`}, 10)`;
  await sql`INSERT INTO principals (id, kind, name, email) VALUES (${personId}, 'person', 'E2E Other Admin', ${`other-${stamp()}@example.test`})`;
  await sql`INSERT INTO memberships (account_id, principal_id, role) VALUES (${accountId}, ${personId}, 'admin')`;
  return new Ngrok({ apiToken: await apiKeyFor(accountId, personId), baseUrl: BASE });
}

/** ngrok's client parses a DELETE's empty 204 as JSON and rejects with a SyntaxError after the deletion happened (see api.spec.ts). */
async function deleted(call: Promise<unknown>): Promise<void> {
  await call.then(
    () => undefined,
    (error: unknown) => {
      if (!(error instanceof SyntaxError)) throw error;
    },
  );
}

/** ngrok's newer Endpoint fields, which the 0.11.0 client passes through (camelCased) without typing them. */
type EndpointSeen = Endpoint & { principal?: { id: string; uri: string | null }; tunnelSession?: { id: string; uri: string } };

const apiError = (code: string, status: number) => expect.objectContaining({ errorCode: code, statusCode: status });

test("reserved domains with ngrok's client: create, list across pages, get, update, delete, and every refusal", async () => {
  const ngrok = await clientOf("admin@example.com");
  const zone = `e2e-${stamp()}.example.com`;
  const made = [];
  for (const domain of [`a.${zone}`, `*.w.${zone}`, `B.${zone}.`, `c.${zone}`, `d.${zone}`]) {
    made.push(await ngrok.reservedDomains.create({ domain, region: "", description: `e2e ${domain}` }));
  }
  expect(made[0]).toMatchObject({ domain: `a.${zone}`, description: `e2e a.${zone}`, metadata: "", uri: `${BASE}/reserved_domains/${made[0]!.id}` });
  expect(made[0]!.id).toMatch(/^rd_/);
  // RFC 3339, as ngrok sends it (the 0.11.0 client leaves it a string).
  expect(String(made[0]!.createdAt)).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  expect(made[2]!.domain).toBe(`b.${zone}`);
  expect(made[1]).toMatchObject({ domain: `*.w.${zone}`, certificate: null, cnameTarget: null, certificateManagementPolicy: null });

  // Pages of 2: the client follows next_page_uri until it is null; newest first.
  const all = await ngrok.reservedDomains.list(undefined, "2");
  expect(all.filter((d) => d.domain.endsWith(zone)).map((d) => d.domain)).toEqual(made.map((d) => d.domain).reverse());
  expect(await ngrok.reservedDomains.get(made[3]!.id)).toEqual(made[3]);
  const updated = await ngrok.reservedDomains.update({ id: made[3]!.id, description: "renamed use", metadata: '{"team":"web"}' });
  expect(updated).toMatchObject({ id: made[3]!.id, domain: `c.${zone}`, description: "renamed use", metadata: '{"team":"web"}' });
  const [created] = await sql<{ source: string; subject_id: string }>`SELECT source, subject_id FROM events WHERE type = 'reserved_domain.created' AND subject_id = ${made[0]!.id}`;
  expect(created).toEqual({ source: "api", subject_id: made[0]!.id });

  // Refusals, each with ngrok's code where ngrok has one.
  await expect(ngrok.reservedDomains.create({ domain: `A.${zone}`, region: "" })).rejects.toEqual(apiError("ERR_NGROK_413", 409));
  const other = await otherAccountClient();
  await expect(other.reservedDomains.create({ domain: `a.${zone}`, region: "" })).rejects.toEqual(apiError("ERR_NGROK_414", 409));
  await expect(other.reservedDomains.create({ domain: `x.w.${zone}`, region: "" })).rejects.toEqual(apiError("ERR_NGROK_414", 409));
  await expect(other.reservedDomains.create({ domain: `*.${zone}`, region: "" })).rejects.toEqual(apiError("ERR_NGROK_417", 409));
  await expect(other.reservedDomains.create({ domain: "tunnel.localhost", region: "" })).rejects.toEqual(apiError("ERR_NGROK_404", 400));
  await expect(other.reservedDomains.create({ domain: "*.tunnel.localhost", region: "" })).rejects.toEqual(apiError("ERR_NGROK_416", 400));
  const invalid = await other.reservedDomains.create({ domain: `a.*.${zone}`, region: "" }).catch((e: { errorCode: string; msg: string; details: Map<string, string> }) => e);
  expect(invalid).toMatchObject({ errorCode: "ERR_BOTDESK_400", statusCode: 400 });
  expect((invalid as { details: Map<string, string> }).details.get("field")).toBe("domain");
  expect((invalid as { msg: string }).msg).toMatch(/^domain: A wildcard is only the whole first part/);
  await expect(other.reservedDomains.create({ domain: `${"x".repeat(64)}.example.org`, region: "" })).rejects.toEqual(apiError("ERR_BOTDESK_400", 400));
  const certificate = await other.reservedDomains.create({ domain: `cert-${zone}`, region: "", certificateId: "cert_123" }).catch((e: { details: Map<string, string> }) => e);
  expect(certificate).toMatchObject({ errorCode: "ERR_BOTDESK_400" });
  expect((certificate as { details: Map<string, string> }).details.get("field")).toBe("certificate_id");
  // Another account's ids are not found, reads and writes alike.
  await expect(other.reservedDomains.get(made[0]!.id)).rejects.toEqual(apiError("ERR_BOTDESK_404", 404));
  await expect(other.reservedDomains.update({ id: made[0]!.id, description: "mine" })).rejects.toEqual(apiError("ERR_BOTDESK_404", 404));
  // A member's key reads but may not change anything.
  const member = await clientOf("member@example.com");
  expect((await member.reservedDomains.get(made[0]!.id)).domain).toBe(`a.${zone}`);
  await expect(member.reservedDomains.create({ domain: `m.${zone}`, region: "" })).rejects.toEqual(apiError("ERR_BOTDESK_4114", 403));
  await expect(member.reservedDomains.delete(made[0]!.id)).rejects.toEqual(apiError("ERR_BOTDESK_4114", 403));

  for (const d of made) await deleted(ngrok.reservedDomains.delete(d.id));
  await expect(ngrok.reservedDomains.get(made[0]!.id)).rejects.toEqual(apiError("ERR_BOTDESK_404", 404));
  const [released] = await sql<{ n: string }>`SELECT count(*) AS n FROM events WHERE type = 'reserved_domain.deleted' AND subject_name LIKE ${`%${zone}`}`;
  expect(Number(released!.n)).toBe(5);
  // Released: another account may reserve it now.
  const theirs = await other.reservedDomains.create({ domain: `a.${zone}`, region: "" });
  await deleted(other.reservedDomains.delete(theirs.id));
});

/** `ssh -R …` as an agent, with a key file; resolves its output once `text` shows, rejects if ssh exits first. */
function sshAgent(keyFile: string, forwards: string[]) {
  const args = ["-F", "/dev/null", "-i", keyFile, "-p", String(E2E_SSH_PORT), "-T", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
    "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "ExitOnForwardFailure=yes", "-o", "LogLevel=ERROR",
    ...forwards.flatMap((f) => ["-R", f]), "agent@127.0.0.1"];
  const proc = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", resolve));
  return { proc, exited, output: () => out };
}

test("endpoints with ngrok's client: what ssh -R binds is listed across pages with its reserved domain, one hostname serves once, gone when the agent goes", async () => {
  test.setTimeout(60_000);
  const ngrok = await clientOf("admin@example.com");
  const zone = `e2e-ep-${stamp()}.example.com`;
  const domain = await ngrok.reservedDomains.create({ domain: `*.${zone}`, region: "", description: "e2e endpoints" });
  const bot = await ngrok.botUsers.create({ name: `e2e-endpoints-${stamp()}` });
  const key = sshKeygen("ed25519");
  await ngrok.sshCredentials.create({ publicKey: key.publicKey, acl: [], ownerId: bot.id });
  const dir = mkdtempSync(path.join(tmpdir(), "botdesk-e2e-ssh-"));
  const keyFile = path.join(dir, "key");
  writeFileSync(keyFile, key.privateKey);
  chmodSync(keyFile, 0o600);
  const agent = sshAgent(keyFile, [`app.${zone}:80:localhost:8080`, "0:localhost:8081"]);
  try {
    const ours = async () => ((await ngrok.endpoints.list(undefined, "1")) as EndpointSeen[]).filter((e) => e.principal?.id === bot.id);
    await expect.poll(async () => (await ours()).length, { timeout: 15_000, message: agent.output() }).toBe(2);
    const listed = await ours();
    const named = listed.find((e) => e.publicUrl === `https://app.${zone}`)!;
    const random = listed.find((e) => e !== named)!;
    expect(named).toMatchObject({
      id: expect.stringMatching(/^ep_/),
      uri: `${BASE}/endpoints/${named.id}`,
      proto: "https",
      hostport: `app.${zone}:443`,
      type: "ephemeral",
      region: "local",
      domain: { id: domain.id, uri: `${BASE}/reserved_domains/${domain.id}` },
      principal: { id: bot.id, uri: `${BASE}/bot_users/${bot.id}` },
    });
    expect(named.tunnelSession).toEqual(random.tunnelSession);
    expect(random.publicUrl).toMatch(/^https:\/\/[0-9a-f]{12}\.tunnel\.localhost$/);
    expect(random.domain).toBeNull();
    expect(await ngrok.endpoints.get(named.id)).toEqual(named);

    // A second agent asking for the same hostname is refused (one endpoint serves it), and says so in the log.
    const second = sshAgent(keyFile, [`app.${zone}:80:localhost:8080`]);
    expect(await second.exited).not.toBe(0);
    expect(second.output()).toMatch(/remote port forwarding failed/i);
    await expect
      .poll(async () => (await sql<{ reason: string }>`SELECT data->>'reason' AS reason FROM events WHERE type = 'agent.bind_refused' AND data->>'url' = ${`https://app.${zone}`}`).map((r) => r.reason))
      .toEqual(["endpoint_online"]);

    agent.proc.kill("SIGTERM");
    await agent.exited;
    await expect.poll(async () => (await ours()).length, { timeout: 10_000 }).toBe(0);
    await expect(ngrok.endpoints.get(named.id)).rejects.toEqual(apiError("ERR_BOTDESK_404", 404));
  } finally {
    if (agent.proc.exitCode === null) agent.proc.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
    await deleted(ngrok.reservedDomains.delete(domain.id));
    await deleted(ngrok.botUsers.delete(bot.id));
  }
});
