import { afterEach, describe, expect, it } from "vitest";
import { issueSecret } from "@/lib/domain/credentials/token-format";
import { newId } from "@/lib/ids";
import { log, redact, setLogSinkForTests } from "./log";

const lines: { level: string; line: string }[] = [];
const capture = (format: "json" | "pretty") => setLogSinkForTests((level, line) => lines.push({ level, line }), format);
afterEach(() => {
  setLogSinkForTests(undefined);
  lines.length = 0;
});

/** An error such as an HTTP client throws: the request it made, headers and all, on the error. */
function errorCarryingRequest(token: string): Error {
  return Object.assign(new Error(`request to http://agent:secretpw@10.0.0.5/x failed with Authorization: Bearer ${token}`), {
    code: "ECONNRESET",
    request: { headers: { authorization: `Bearer ${token}`, cookie: "authjs.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2In0.sessionvalue" } },
  });
}

describe("the server's log", () => {
  const { token } = issueSecret("api_key", newId("apiKey"));

  it("json: one object a line with time, level, msg, scope and the request id", () => {
    capture("json");
    log.error("api", "createBot failed", { requestId: "req-123", error: new Error("boom") });
    log.info("botdesk", "SSH server listening on 127.0.0.1:2222");
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]!.line) as Record<string, unknown>;
    expect(first).toMatchObject({ level: "error", msg: "createBot failed", scope: "api", request_id: "req-123", error: { name: "Error", message: "boom" } });
    expect(new Date(first.time as string).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(lines[0]!.line).not.toContain("\n");
    expect(JSON.parse(lines[1]!.line)).toMatchObject({ level: "info", scope: "botdesk", msg: "SSH server listening on 127.0.0.1:2222" });
  });

  it("pretty: the scope, the message, the request id and the error's stack, for a person", () => {
    capture("pretty");
    log.error("action", "renameBot failed", { requestId: "req-9", error: new Error("boom") });
    expect(lines[0]!.level).toBe("error");
    expect(lines[0]!.line).toMatch(/^\[action\] renameBot failed \(request req-9\) Error: boom\n\s+at /);
  });

  for (const format of ["json", "pretty"] as const) {
    it(`${format}: an error carrying an Authorization header, an API key, a cookie or a URL's password prints none of them`, () => {
      capture(format);
      log.error("api", "listing bots failed", { requestId: "r", error: errorCarryingRequest(token) });
      log.error("auth", `sign-in with ${token} refused`, { presented: token, url: "postgresql://botdesk:hunter2secret@db:5432/botdesk" });
      const all = lines.map((l) => l.line).join("\n");
      expect(all).toContain("listing bots failed");
      expect(all).toContain("ECONNRESET");
      for (const secret of [token, token.slice(5, 40), "secretpw", "hunter2secret", "sessionvalue", "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2In0"]) expect(all).not.toContain(secret);
      expect(all).toContain("[redacted]");
    });
  }

  it("redact keeps ordinary text as it is", () => {
    const text = "[api] bot_0cR8abc: createBot failed (request 4f2a) after 12 ms, principal pr_0cQ1xyz";
    expect(redact(text)).toBe(text);
  });
});
