import { describe, expect, it } from "vitest";
import { isHttps } from "@/lib/auth/session-cookie";
import { apiBaseUrl } from "@/lib/api/request";
import { tunnelSessionRoutes } from "@/lib/api/tunnel-sessions";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { actorOf, createTestAccount } from "@/lib/test-support/factories";
import { externalOrigin, forwardedProto } from "./forwarded";

const headers = (h: Record<string, string>) => new Headers(h);

describe("X-Forwarded-Proto, read in one place", () => {
  it("takes the first entry when it is http or https, else nothing", () => {
    expect(forwardedProto(headers({ "x-forwarded-proto": "https" }))).toBe("https");
    expect(forwardedProto(headers({ "x-forwarded-proto": " https , http" }))).toBe("https");
    expect(forwardedProto(headers({ "x-forwarded-proto": "http,https" }))).toBe("http");
    expect(forwardedProto(headers({ "x-forwarded-proto": "wss" }))).toBeNull();
    expect(forwardedProto(headers({}))).toBeNull();
  });

  it("decides the cookies' Secure flag and the API's absolute URLs (each answer's uri, next_page_uri) alike", async () => {
    const behindTls = { "x-forwarded-proto": "https", "x-forwarded-host": "botdesk.example.com", host: "10.0.0.5:3000" };
    const request = new Request("http://10.0.0.5:3000/api/v1/tunnel_sessions", { headers: behindTls });
    expect(isHttps(headers(behindTls))).toBe(true);
    expect(externalOrigin(headers(behindTls))).toBe("https://botdesk.example.com");
    expect(apiBaseUrl(request)).toBe("https://botdesk.example.com/api/v1");
    // The same base in a real route's answer: a key's own tunnel sessions, listed behind the proxy.
    const { account, owner } = await createTestAccount();
    const key = await createCredential(actorOf(account, owner, "owner"), { kind: "api_key", ownerId: owner.id }, { ip: null, userAgent: null });
    if (!key.ok) throw new Error(key.message);
    const behind = new Request("http://10.0.0.5:3000/api/v1/tunnel_sessions?limit=1", { headers: { ...behindTls, Authorization: `Bearer ${key.data.token}` } });
    const listed = await tunnelSessionRoutes.list(behind, { params: Promise.resolve({}) });
    expect(((await listed.json()) as { uri: string }).uri).toBe("https://botdesk.example.com/api/v1/tunnel_sessions?limit=1");
    const direct = new Request("http://localhost:3000/api/v1/bot_users", { headers: { "x-forwarded-proto": "gopher" } });
    expect(isHttps(direct.headers)).toBe(false);
    expect(apiBaseUrl(direct)).toBe("http://localhost:3000/api/v1");
  });
});
