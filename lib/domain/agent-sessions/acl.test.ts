import { describe, expect, it } from "vitest";
import { aclAllowsBind, type BindTarget } from "./acl";

const host = (hostname: string): BindTarget => ({ hostname, labels: {} });
const labels = (l: Record<string, string>): BindTarget => ({ hostname: null, labels: l });
const allowed = (acl: string[], target: BindTarget) => aclAllowsBind(acl, target).allowed;

describe("aclAllowsBind", () => {
  it("lets anything through an empty ACL, * or bind:*", () => {
    for (const acl of [[], ["*"], ["bind:*"]]) {
      expect(allowed(acl, host("anything.example.org"))).toBe(true);
      expect(allowed(acl, labels({ edge: "edghts_1", env: "prod" }))).toBe(true);
    }
  });

  it("matches an exact domain ignoring case and a trailing dot, and nothing else", () => {
    const acl = ["bind:app.example.com"];
    expect(allowed(acl, host("app.example.com"))).toBe(true);
    expect(allowed(acl, host("APP.Example.COM."))).toBe(true);
    expect(allowed(acl, host("example.com"))).toBe(false);
    expect(allowed(acl, host("x.app.example.com"))).toBe(false);
    expect(allowed(acl, host("app.example.com.evil.net"))).toBe(false);
    expect(allowed(acl, host("evilapp.example.com"))).toBe(false);
  });

  it("matches a leading wildcard at any depth below the domain, but not the domain itself or look-alikes", () => {
    const acl = ["bind:*.example.com"];
    expect(allowed(acl, host("a.example.com"))).toBe(true);
    expect(allowed(acl, host("a.b.example.com"))).toBe(true);
    expect(allowed(acl, host("A.Example.Com"))).toBe(true);
    expect(allowed(acl, host("example.com"))).toBe(false);
    expect(allowed(acl, host("badexample.com"))).toBe(false);
    expect(allowed(acl, host("a.example.com.evil.net"))).toBe(false);
    expect(allowed(acl, host("a.example.org"))).toBe(false);
  });

  it("allows a hostname when any one of several domain rules matches", () => {
    const acl = ["bind:api.example.com", "bind:*.staging.example.net"];
    expect(allowed(acl, host("api.example.com"))).toBe(true);
    expect(allowed(acl, host("x.staging.example.net"))).toBe(true);
    expect(allowed(acl, host("www.example.com"))).toBe(false);
  });

  it("matches labels exactly or with a wildcard key or value, and needs every label allowed", () => {
    expect(allowed(["bind:env=prod"], labels({ env: "prod" }))).toBe(true);
    expect(allowed(["bind:env=prod"], labels({ env: "staging" }))).toBe(false);
    expect(allowed(["bind:env=prod"], labels({ Env: "prod" }))).toBe(false);
    expect(allowed(["bind:app=*"], labels({ app: "x" }))).toBe(true);
    expect(allowed(["bind:app=*"], labels({ application: "x" }))).toBe(false);
    expect(allowed(["bind:*=example"], labels({ anything: "example" }))).toBe(true);
    expect(allowed(["bind:*=example"], labels({ anything: "examples" }))).toBe(false);
    expect(allowed(["bind:env=prod", "bind:app=*"], labels({ env: "prod", app: "billing" }))).toBe(true);
    expect(allowed(["bind:env=prod", "bind:app=*"], labels({ env: "prod", app: "billing", team: "x" }))).toBe(false);
  });

  it("never lets a domain rule admit a label, nor a label rule a hostname", () => {
    expect(allowed(["bind:*.example.com"], labels({ env: "prod" }))).toBe(false);
    expect(allowed(["bind:env=prod"], host("prod.example.com"))).toBe(false);
    expect(allowed(["bind:*=*"], host("prod.example.com"))).toBe(false);
  });

  it("needs both the hostname and the labels allowed when a bind has both", () => {
    const acl = ["bind:*.example.com", "bind:env=prod"];
    expect(allowed(acl, { hostname: "a.example.com", labels: { env: "prod" } })).toBe(true);
    expect(allowed(acl, { hostname: "a.example.com", labels: { env: "dev" } })).toBe(false);
    expect(allowed(acl, { hostname: "a.example.org", labels: { env: "prod" } })).toBe(false);
  });

  it("says which part was refused, and which kind of rule was missing (ERR_NGROK_308 or ERR_NGROK_399)", () => {
    expect(aclAllowsBind(["bind:a.example.com"], host("b.example.com"))).toEqual({
      allowed: false,
      refused: "hostname",
      why: "the authtoken's ACL does not permit binding b.example.com",
    });
    expect(aclAllowsBind(["bind:env=prod"], labels({ env: "dev" }))).toEqual({
      allowed: false,
      refused: "label",
      why: "the authtoken's ACL does not permit the label env=dev",
    });
  });
});
