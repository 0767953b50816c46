import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isStreamType, streamTypeOf, streamTypesMarkdown } from "./stream-types";

describe("stream event types", () => {
  it("use ngrok's names where ngrok has the event, else <object>_<action>.v0", () => {
    expect(streamTypeOf("credential.created", { kind: "api_key" })).toBe("api_key_created.v0");
    expect(streamTypeOf("credential.revoked", { kind: "authtoken" })).toBe("credential_deleted.v0");
    expect(streamTypeOf("credential.updated", { kind: "ssh_key" })).toBe("ssh_credential_updated.v0");
    expect(streamTypeOf("bot.deactivated", {})).toBe("bot_user_deactivated.v0");
    expect(streamTypeOf("reserved_domain.created", undefined)).toBe("reserved_domain_created.v0");
    expect(isStreamType("bot_user_created.v0")).toBe(true);
    expect(isStreamType("bot.created")).toBe(false);
  });

  it("are all listed in docs/event-streams.md (npx tsx scripts/event-types-table.ts)", () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, "../../../docs/event-streams.md"), "utf8");
    const table = /<!-- stream-types:start -->\n([\s\S]*?)\n<!-- stream-types:end -->/.exec(doc)?.[1];
    expect(table).toBe(streamTypesMarkdown());
  });
});
