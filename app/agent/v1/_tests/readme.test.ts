import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { agentErrorsMarkdown } from "@/lib/api/errors";

describe("the README's agent error codes", () => {
  it("is the table of lib/api/errors.ts (AGENT_ERRORS)", () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, "../../../../README.md"), "utf8");
    const table = /<!-- agent-errors:start -->\n([\s\S]*?)\n<!-- agent-errors:end -->/.exec(readme)?.[1];
    expect(table, "README.md: the table between <!-- agent-errors:start --> and <!-- agent-errors:end -->").toBe(agentErrorsMarkdown());
  });
});
