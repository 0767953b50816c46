import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { apiErrorsMarkdown } from "@/lib/api/errors";

describe("the README's API error codes", () => {
  it("are exactly the codes the API answers with", () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, "../../../../README.md"), "utf8");
    const table = /<!-- api-errors:start -->\n([\s\S]*?)\n<!-- api-errors:end -->/.exec(readme)?.[1];
    expect(table, "README.md: the table between <!-- api-errors:start --> and <!-- api-errors:end -->").toBe(apiErrorsMarkdown());
  });
});
