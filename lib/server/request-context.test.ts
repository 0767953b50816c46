import http from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { readEnv } from "../env";
import { installPeerAddressHeader, PEER_ADDRESS_HEADER } from "./peer-address";
import { clientIp, parseTrustedProxies, requestContextFrom } from "./request-context";

describe("the client's address", () => {
  it("by default is the socket's address, whatever X-Forwarded-For the client sends", async () => {
    installPeerAddressHeader();
    // A real server: the hook overwrites a forged peer header too.
    const server = http.createServer((req, res) => {
      const headers = new Headers(req.headers as Record<string, string>);
      res.end(JSON.stringify(requestContextFrom(headers)));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        headers: { "x-forwarded-for": "6.6.6.6", [PEER_ADDRESS_HEADER]: "7.7.7.7", "user-agent": "vitest" },
      });
      expect(await response.json()).toEqual({ ip: "127.0.0.1", userAgent: "vitest" });
    } finally {
      server.close();
    }
  });

  it("believes X-Forwarded-For only as far as the trusted proxies vouch for it", () => {
    const none = parseTrustedProxies(undefined);
    const oneHop = parseTrustedProxies("1");
    const list = parseTrustedProxies("10.0.0.0/8, 192.168.1.10");
    const forged = "6.6.6.6, 203.0.113.5";
    expect(clientIp("10.0.0.2", forged, none)).toBe("10.0.0.2");
    expect(clientIp("10.0.0.2", forged, oneHop)).toBe("203.0.113.5");
    expect(clientIp("10.0.0.2", null, oneHop)).toBe("10.0.0.2");
    expect(clientIp("10.0.0.2", `${forged}, 10.1.1.1`, list)).toBe("203.0.113.5");
    expect(clientIp("::ffff:192.168.1.10", forged, list)).toBe("203.0.113.5");
    // A client talking to us directly is not a trusted proxy: its header is ignored.
    expect(clientIp("198.51.100.9", forged, list)).toBe("198.51.100.9");
  });

  it("refuses a setting that is neither a hop count nor addresses", () => {
    expect(() => readEnv({ BOTDESK_TRUSTED_PROXIES: "the load balancer" })).toThrow(/BOTDESK_TRUSTED_PROXIES/);
    expect(readEnv({ BOTDESK_TRUSTED_PROXIES: "10.0.0.0/8,::1" }).BOTDESK_TRUSTED_PROXIES).toBe("10.0.0.0/8,::1");
    expect(() => parseTrustedProxies("10.0.0.0/99")).toThrow(/not an IP address or CIDR range/);
  });
});
