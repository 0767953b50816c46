import { describe, expect, it } from "vitest";
import { API_ERRORS, ApiError, errorResponse, notFoundMessage } from "./errors";

describe("the error table", () => {
  it("answers each code with its table's status in ngrok's shape (401 with WWW-Authenticate, 503 with Retry-After)", async () => {
    for (const [code, e] of Object.entries(API_ERRORS)) {
      const response = errorResponse(new ApiError(code as keyof typeof API_ERRORS, "x"), "op-1");
      expect(response.status, code).toBe(e.status);
      expect(await response.json(), code).toEqual({ error_code: code, status_code: e.status, msg: "x", details: { operation_id: "op-1" } });
      expect(response.headers.has("www-authenticate"), code).toBe(e.status === 401);
      expect(response.headers.has("retry-after"), code).toBe(e.status === 503);
    }
  });

  it("says where agents go when an /agent path is asked for (agents have no HTTP routes)", () => {
    expect(notFoundMessage("GET", "/api/v1/nope")).toBe("No API route GET /api/v1/nope.");
    expect(notFoundMessage("POST", "/agent/sessions")).toMatch(/^No agent route POST \/agent\/sessions: agents connect with ngrok's agent protocol to the agent listener \(BOTDESK_AGENT_PORT/);
    expect(notFoundMessage("GET", "/agents")).toBe("No API route GET /agents.");
  });
});
