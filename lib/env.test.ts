import { describe, expect, it } from "vitest";
import { readEnv } from "./env";

describe("the listeners' settings", () => {
  it("have the documented defaults", () => {
    const env = readEnv({});
    expect(env.BOTDESK_AGENT_PORT).toBe(4443);
    expect(env.BOTDESK_INGRESS_PORT).toBe(8000);
    expect(env.BOTDESK_TUNNEL_DOMAIN).toBe("tunnel.localhost");
    expect(env.BOTDESK_TCP_PORTS).toEqual({ from: 20000, to: 20099 });
    expect(env.BOTDESK_AGENT_TLS_NAMES).toEqual([]);
    expect(env.BOTDESK_HOST).toBeUndefined();
    expect(env.BOTDESK_DEMO).toBe(false);
  });

  it("turn a listener off with `off`", () => {
    const env = readEnv({ BOTDESK_AGENT_PORT: "off", BOTDESK_INGRESS_PORT: "off", BOTDESK_TCP_PORTS: "off" });
    expect([env.BOTDESK_AGENT_PORT, env.BOTDESK_INGRESS_PORT, env.BOTDESK_TCP_PORTS]).toEqual(["off", "off", "off"]);
  });

  it("read BOTDESK_SSH_DOMAIN as the tunnel domain's older name", () => {
    expect(readEnv({ BOTDESK_SSH_DOMAIN: "t.example.com" }).BOTDESK_TUNNEL_DOMAIN).toBe("t.example.com");
    expect(readEnv({ BOTDESK_SSH_DOMAIN: "old.example.com", BOTDESK_TUNNEL_DOMAIN: "New.Example.com" }).BOTDESK_TUNNEL_DOMAIN).toBe("new.example.com");
  });

  it("take a single TCP port or a range, and refuse anything else", () => {
    expect(readEnv({ BOTDESK_TCP_PORTS: "30000" }).BOTDESK_TCP_PORTS).toEqual({ from: 30000, to: 30000 });
    for (const bad of ["20099-20000", "0-10", "1-70000", "a-b", "20000,20001"]) {
      expect(() => readEnv({ BOTDESK_TCP_PORTS: bad }), bad).toThrow(/BOTDESK_TCP_PORTS/);
    }
  });

  it("want a certificate and its key together", () => {
    expect(() => readEnv({ BOTDESK_AGENT_TLS_CERT: "/x.pem" })).toThrow(/BOTDESK_AGENT_TLS_KEY/);
    expect(() => readEnv({ BOTDESK_INGRESS_TLS_KEY: "/x.key" })).toThrow(/BOTDESK_INGRESS_TLS_CERT/);
    expect(readEnv({ BOTDESK_INGRESS_TLS_CERT: "/c.pem", BOTDESK_INGRESS_TLS_KEY: "/k.pem" }).BOTDESK_INGRESS_TLS_CERT).toBe("/c.pem");
  });

  it("refuse a tunnel domain, TLS names or a host that are not names", () => {
    expect(() => readEnv({ BOTDESK_TUNNEL_DOMAIN: "localhost" })).toThrow(/BOTDESK_TUNNEL_DOMAIN/);
    expect(() => readEnv({ BOTDESK_TUNNEL_DOMAIN: "a b.example" })).toThrow(/BOTDESK_TUNNEL_DOMAIN/);
    expect(readEnv({ BOTDESK_AGENT_TLS_NAMES: " Agents.Example.com, 10.0.0.5 " }).BOTDESK_AGENT_TLS_NAMES).toEqual(["agents.example.com", "10.0.0.5"]);
    expect(() => readEnv({ BOTDESK_HOST: "0.0.0.0; rm" })).toThrow(/BOTDESK_HOST/);
  });
});

describe("the tunnel domain beside the dashboard", () => {
  it("refuses the dashboard's host or a parent of it, takes a child or another domain", () => {
    expect(() => readEnv({ AUTH_URL: "https://botdesk.example.com", BOTDESK_TUNNEL_DOMAIN: "botdesk.example.com" })).toThrow(/BOTDESK_TUNNEL_DOMAIN.*cookies/);
    expect(() => readEnv({ AUTH_URL: "https://botdesk.example.com/", BOTDESK_TUNNEL_DOMAIN: "example.com" })).toThrow(/BOTDESK_TUNNEL_DOMAIN/);
    expect(() => readEnv({ AUTH_URL: "https://Console.Tunnels.example.com", BOTDESK_SSH_DOMAIN: "tunnels.example.com" })).toThrow(/BOTDESK_SSH_DOMAIN/);
    expect(readEnv({ AUTH_URL: "https://botdesk.example.com", BOTDESK_TUNNEL_DOMAIN: "tunnel.botdesk.example.com" }).BOTDESK_TUNNEL_DOMAIN).toBe("tunnel.botdesk.example.com");
    expect(readEnv({ AUTH_URL: "https://botdesk.example.com", BOTDESK_TUNNEL_DOMAIN: "example.net" }).BOTDESK_TUNNEL_DOMAIN).toBe("example.net");
    expect(readEnv({ AUTH_URL: "http://localhost:3000" }).BOTDESK_TUNNEL_DOMAIN).toBe("tunnel.localhost");
    expect(() => readEnv({ AUTH_URL: "not a url" })).toThrow(/AUTH_URL/);
  });
});

describe("docs/operating.md's settings table", () => {
  it("lists every variable lib/env.ts reads", async () => {
    const { readFileSync } = await import("node:fs");
    const path = await import("node:path");
    const { ENV_VARIABLES } = await import("./env");
    const doc = readFileSync(path.resolve(import.meta.dirname, "..", "docs", "operating.md"), "utf8");
    const table = doc.slice(doc.indexOf("## Settings"), doc.indexOf("\n## ", doc.indexOf("## Settings") + 1));
    expect(ENV_VARIABLES.length).toBeGreaterThan(30);
    expect(ENV_VARIABLES.filter((name) => !table.includes(`\`${name}\``))).toEqual([]);
  });
});
