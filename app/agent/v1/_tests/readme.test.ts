import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { agentErrorsMarkdown } from "@/lib/api/errors";

describe("docs/agents.md's agent error codes", () => {
  it("is the table of lib/api/errors.ts (AGENT_ERRORS)", () => {
    const root = path.resolve(import.meta.dirname, "../../../..");
    const doc = readFileSync(path.join(root, "docs", "agents.md"), "utf8");
    const table = /<!-- agent-errors:start -->\n([\s\S]*?)\n<!-- agent-errors:end -->/.exec(doc)?.[1];
    expect(table, "docs/agents.md: the table between <!-- agent-errors:start --> and <!-- agent-errors:end -->").toBe(agentErrorsMarkdown());
    expect(readFileSync(path.join(root, "README.md"), "utf8"), "the table lives in docs/agents.md").not.toContain("<!-- agent-errors:start -->");
  });
});
