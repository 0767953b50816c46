import { describe, expect, it } from "vitest";
import { parseDomainName, type DomainName } from "@/lib/validation/domain-name";
import { reservationCovers, tunnelDomainRefusal, zoneKeyAndAncestors, zonesOverlap } from "./zones";

const n = (raw: string): DomainName => {
  const parsed = parseDomainName(raw);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.name;
};

describe("reservationCovers: which hostnames a reservation lets its account bind", () => {
  it.each([
    ["app.example.com", "app.example.com", true],
    ["app.example.com", "APP.example.com.", true],
    ["app.example.com", "x.app.example.com", false],
    ["app.example.com", "example.com", false],
    ["*.example.com", "a.example.com", true],
    ["*.example.com", "a.b.c.example.com", true],
    ["*.example.com", "example.com", false],
    ["*.example.com", "myexample.com", false],
    ["*.example.com", "a.example.org", false],
    ["*.example.com", "*.example.com", true],
    ["*.example.com", "*.a.example.com", true],
    ["*.a.example.com", "*.example.com", false],
    ["app.example.com", "*.app.example.com", false],
  ])("%s covers %s: %s", (reservation, hostname, covered) => {
    expect(reservationCovers(n(reservation), n(hostname))).toBe(covered);
  });
});

describe("zonesOverlap: two accounts' reservations that may not coexist", () => {
  it.each([
    ["a.example.com", "a.example.com", true],
    ["*.example.com", "a.example.com", true],
    ["*.a.example.com", "*.example.com", true],
    ["example.com", "a.b.example.com", true],
    ["*.example.com", "example.com", true],
    ["a.example.com", "b.example.com", false],
    ["*.a.example.com", "*.b.example.com", false],
    ["example.com", "myexample.com", false],
    ["*.example.com", "example.org", false],
  ])("%s and %s: %s (both ways)", (a, b, overlap) => {
    expect(zonesOverlap(n(a), n(b))).toBe(overlap);
    expect(zonesOverlap(n(b), n(a))).toBe(overlap);
  });
});

describe("zoneKeyAndAncestors", () => {
  it("lists the name's key and those above it down to two labels, longest first", () => {
    expect(zoneKeyAndAncestors("com.example.b.a.")).toEqual(["com.example.b.a.", "com.example.b.", "com.example."]);
    expect(zoneKeyAndAncestors("com.example.")).toEqual(["com.example."]);
  });
});

describe("tunnelDomainRefusal", () => {
  it("refuses the tunnel domain, its wildcard and names above it; names under it are anyone's to reserve", () => {
    expect(tunnelDomainRefusal(n("tunnel.localhost"), "tunnel.localhost")?.code).toBe("tunnel_domain");
    expect(tunnelDomainRefusal(n("*.tunnel.localhost"), "tunnel.localhost")?.code).toBe("tunnel_domain_wildcard");
    expect(tunnelDomainRefusal(n("example.com"), "t.example.com")?.code).toBe("tunnel_domain");
    expect(tunnelDomainRefusal(n("*.example.com"), "t.example.com")?.code).toBe("tunnel_domain");
    expect(tunnelDomainRefusal(n("myapp.tunnel.localhost"), "tunnel.localhost")).toBeNull();
    expect(tunnelDomainRefusal(n("*.myapp.tunnel.localhost"), "tunnel.localhost")).toBeNull();
    expect(tunnelDomainRefusal(n("othertunnel.localhost"), "tunnel.localhost")).toBeNull();
  });
});
