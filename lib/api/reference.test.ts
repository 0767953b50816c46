import { describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi";
import { apiReference } from "./reference";

describe("apiReference (the API page)", () => {
  it("shows every call of the OpenAPI document but /service_users (the same as /bot_users), each with curl for the base URL and the key placeholder", () => {
    const base = "https://botdesk.example/api/v1";
    const doc = openApiDocument(base) as { paths: Record<string, Record<string, unknown>> };
    const expected = Object.entries(doc.paths)
      .filter(([path]) => !path.startsWith("/service_users"))
      .flatMap(([path, item]) => Object.keys(item).filter((k) => k !== "parameters").map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const reference = apiReference(base);
    const ops = reference.groups.flatMap((g) => g.operations);
    expect(ops.map((o) => `${o.method} ${o.path}`).sort()).toEqual(expected);
    for (const op of ops) {
      expect(op.curl, op.id).toContain(`"${base}/`);
      expect(op.curl, op.id).toContain("Authorization: Bearer $BOTDESK_API_KEY");
    }
    const create = ops.find((o) => o.id === "ssh_credentials.create")!;
    expect(create.body.find((f) => f.name === "public_key")).toMatchObject({ required: true, type: "string" });
    expect(create.curl).toContain(`-d '{"public_key":`);
    expect(create.answer?.name).toBe("SSHCredential");
    expect(ops.find((o) => o.id === "tunnel_sessions.list")!.answer?.fields.map((f) => f.name)).toContain("agent_version");
    expect(reference.errors.map((e) => e.code)).toContain("ERR_NGROK_4111");
  });
});
