import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { apiErrorsMarkdown } from "@/lib/api/errors";

describe("docs/api.md's API error codes", () => {
  it("are exactly the codes the API answers with", () => {
    const root = path.resolve(import.meta.dirname, "../../../..");
    const doc = readFileSync(path.join(root, "docs", "api.md"), "utf8");
    const table = /<!-- api-errors:start -->\n([\s\S]*?)\n<!-- api-errors:end -->/.exec(doc)?.[1];
    expect(table, "docs/api.md: the table between <!-- api-errors:start --> and <!-- api-errors:end -->").toBe(apiErrorsMarkdown());
    expect(readFileSync(path.join(root, "README.md"), "utf8"), "the table lives in docs/api.md").not.toContain("<!-- api-errors:start -->");
  });
});
