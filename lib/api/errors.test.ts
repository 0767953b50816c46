import { describe, expect, it } from "vitest";
import { AGENT_ERRORS, API_ERRORS, ApiError } from "./errors";

describe("the error tables", () => {
  it("give a code both the REST API and the agent endpoints answer with the same status", () => {
    for (const [code, e] of Object.entries(AGENT_ERRORS)) {
      const api = (API_ERRORS as Record<string, { status: number }>)[code];
      if (api) expect(api.status, code).toBe(e.status);
      expect(new ApiError(code as keyof typeof AGENT_ERRORS, "x").status, code).toBe(e.status);
    }
  });
});
