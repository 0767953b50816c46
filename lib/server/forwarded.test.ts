import { describe, expect, it } from "vitest";
import { isHttps } from "@/lib/auth/session-cookie";
import { agentBaseUrl } from "@/lib/agent/json";
import { apiBaseUrl } from "@/lib/api/request";
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

  it("decides the cookies' Secure flag and the API's and agents' absolute URLs alike", () => {
    const behindTls = { "x-forwarded-proto": "https", "x-forwarded-host": "botdesk.example.com", host: "10.0.0.5:3000" };
    const request = new Request("http://10.0.0.5:3000/agent/v1/sessions", { headers: behindTls });
    expect(isHttps(headers(behindTls))).toBe(true);
    expect(externalOrigin(headers(behindTls))).toBe("https://botdesk.example.com");
    expect(apiBaseUrl(request)).toBe("https://botdesk.example.com/api/v1");
    expect(agentBaseUrl(request)).toBe("https://botdesk.example.com/agent/v1");
    const direct = new Request("http://localhost:3000/api/v1/bot_users", { headers: { "x-forwarded-proto": "gopher" } });
    expect(isHttps(direct.headers)).toBe(false);
    expect(apiBaseUrl(direct)).toBe("http://localhost:3000/api/v1");
    expect(agentBaseUrl(direct)).toBe("http://localhost:3000/agent/v1");
  });
});
