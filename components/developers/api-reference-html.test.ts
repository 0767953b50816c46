import { describe, expect, it } from "vitest";
import { apiReference } from "@/lib/api/reference";
import { apiReferenceMarkup } from "./api-reference-html";

// The API page's reference is markup rendered once per process; what differs per request is the
// base URL of its curl examples, which comes from the request's Host (or X-Forwarded-Host) header.

describe("the API page's reference markup", () => {
  it("shows every call of the reference, with curl against each request's own base URL", () => {
    const reference = apiReference("https://a.example/api/v1");
    const ops = reference.groups.flatMap((g) => g.operations);
    const a = apiReferenceMarkup("https://a.example/api/v1");
    const b = apiReferenceMarkup("http://127.0.0.1:3000/api/v1");
    expect(a.tags).toEqual(reference.groups.map((g) => g.tag));
    expect(a.html.match(/data-testid="api-operation"/g)).toHaveLength(ops.length);
    for (const op of ops) expect(a.html).toContain(`data-operation="${op.id}"`);
    expect(a.html).toContain("-X POST &quot;https://a.example/api/v1/bot_users&quot;");
    expect(b.html).toContain("-X POST &quot;http://127.0.0.1:3000/api/v1/bot_users&quot;");
    expect(b.html).not.toContain("a.example");
    expect(b.html).not.toContain("__BOTDESK_API_BASE__");
  });

  it("escapes what a Host header put in the base URL, so it cannot add markup to the page", () => {
    const { html } = apiReferenceMarkup(`http://evil"><img src=x onerror=alert(1)>/api/v1`);
    expect(html).not.toContain("<img");
    expect(html).toContain("http://evil&quot;&gt;&lt;img src=x onerror=alert(1)&gt;/api/v1/bot_users");
  });
});
