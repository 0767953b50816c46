import { afterEach, describe, expect, it, vi } from "vitest";
import { createCredential } from "../domain/credentials/create-credential";
import { actorOf, createTestAccount } from "../test-support/factories";
import { apiRoute } from "./route";

afterEach(() => vi.restoreAllMocks());

describe("apiRoute", () => {
  it("answers an unexpected failure with a generic 500 and logs it without the key", async () => {
    const { account, owner } = await createTestAccount();
    const created = await createCredential(actorOf(account, owner, "owner"), { kind: "api_key" }, { ip: null, userAgent: null });
    const token = created.ok ? created.data.token! : "";
    const logged: unknown[][] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void logged.push(args));
    const route = apiRoute("test.boom", async () => {
      throw new Error("relation \"secret_internal_table\" does not exist");
    });
    const res = await route(new Request("http://botdesk.test/api/v1/boom", { headers: { Authorization: `Bearer ${token}` } }), { params: Promise.resolve({}) });
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body).toMatchObject({ error_code: "ERR_BOTDESK_500", status_code: 500, details: { operation_id: expect.any(String) } });
    expect(JSON.stringify(body)).not.toContain("secret_internal_table");
    expect(logged).toHaveLength(1);
    expect(String(logged[0]![0])).toContain("test.boom");
    expect(logged.flat().map(String).join(" ")).not.toContain(token);
  });

  it("hands the handler the key's owner as actor, with source api and the key used", async () => {
    const { account, owner } = await createTestAccount();
    const created = await createCredential(actorOf(account, owner, "owner"), { kind: "api_key" }, { ip: null, userAgent: null });
    if (!created.ok) throw new Error(created.message);
    let seen: unknown = null;
    const route = apiRoute("test.actor", async ({ actor }) => {
      seen = actor;
      return Response.json({});
    });
    await route(new Request("http://botdesk.test/api/v1/x", { headers: { Authorization: `bearer ${created.data.token}` } }), { params: Promise.resolve({}) });
    expect(seen).toEqual({
      principal: { id: owner.id, name: owner.name, kind: "person" },
      account: { id: account.id, name: account.name, seatLimit: account.seatLimit },
      role: "owner",
      source: "api",
      credential: { id: created.data.credential.id, display: created.data.credential.display },
    });
  });
});
