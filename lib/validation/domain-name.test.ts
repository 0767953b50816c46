import { describe, expect, it } from "vitest";
import { parseDomainName, zoneKeyOf } from "./domain-name";

const ok = (raw: string) => {
  const parsed = parseDomainName(raw);
  if (!parsed.ok) throw new Error(`${raw}: ${parsed.message}`);
  return parsed.name;
};
const refused = (raw: string) => {
  const parsed = parseDomainName(raw);
  if (parsed.ok) throw new Error(`${raw} was accepted as ${parsed.name.domain}`);
  return parsed.message;
};

describe("parseDomainName", () => {
  it("normalises case, spaces around and one trailing dot, and reads a leading *. as a wildcard", () => {
    expect(ok("  App.Example.COM. ")).toEqual({ domain: "app.example.com", base: "app.example.com", wildcard: false, zoneKey: "com.example.app." });
    expect(ok("*.Example.com")).toEqual({ domain: "*.example.com", base: "example.com", wildcard: true, zoneKey: "com.example." });
    expect(ok("xn--bcher-kva.example").domain).toBe("xn--bcher-kva.example");
    expect(ok("a-b.c0.example.com").domain).toBe("a-b.c0.example.com");
  });

  it("holds DNS's limits exactly: 253 characters in all, 63 per label", () => {
    const label63 = "a".repeat(63);
    expect(ok(`${label63}.example.com`).base).toHaveLength(75);
    expect(refused(`${"a".repeat(64)}.example.com`)).toMatch(/longer than 63 characters/);
    // 4 labels of 63 and one of 1, with dots: 4*63 + 4 dots + 1 = 257 > 253; 3*63 + 3 + 61 = 253.
    const name253 = `${label63}.${label63}.${label63}.${"b".repeat(61)}`;
    expect(name253).toHaveLength(253);
    expect(ok(name253).domain).toBe(name253);
    expect(ok(`${name253}.`).domain).toBe(name253);
    expect(refused(`${label63}.${label63}.${label63}.${"b".repeat(62)}`)).toMatch(/at most 253 characters \(this one has 254\)/);
    expect(refused(`*.${label63}.${label63}.${label63}.${"b".repeat(60)}`)).toMatch(/at most 253/);
  });

  it.each([
    ["", /Enter a domain/],
    ["   ", /Enter a domain/],
    ["localhost", /at least two parts/],
    ["*.com", /wildcard needs at least two parts after it/],
    ["*", /at least two parts|not a valid part|wildcard/],
    ["a.*.example.com", /wildcard is only the whole first part/],
    ["*example.com", /wildcard is only the whole first part/],
    ["*.*.example.com", /wildcard is only the whole first part/],
    ["**.example.com", /wildcard is only the whole first part/],
    ["a..example.com", /no empty parts/],
    [".example.com", /no empty parts/],
    ["-a.example.com", /starts or ends with a hyphen/],
    ["a-.example.com", /starts or ends with a hyphen/],
    ["under_score.example.com", /Underscores/],
    ["bücher.example", /ASCII form \(xn--…\)/],
    ["app example.com", /" " can't be used/],
    ["app.example.com/path", /"\/" can't be used/],
    ["https://app.example.com", /":" can't be used/],
    ["app\u0000.example.com", /U\+0000 can't be used/],
    ["1.2.3.4", /IP address/],
    ["app.example.com..", /no empty parts/],
  ])("refuses %j with a clear reason", (raw, message) => {
    expect(refused(raw)).toMatch(message);
  });
});

describe("zoneKeyOf", () => {
  it("reverses the labels, each ending in a dot, so names under a name share its key as a prefix on whole labels", () => {
    expect(zoneKeyOf("a.b.example.com")).toBe("com.example.b.a.");
    expect(zoneKeyOf("a.example.com").startsWith(zoneKeyOf("example.com"))).toBe(true);
    expect(zoneKeyOf("myexample.com").startsWith(zoneKeyOf("example.com"))).toBe(false);
  });
});
