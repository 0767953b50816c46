import { describe, expect, it } from "vitest";
import { dashboardUrl, reachability, resolveBindHost } from "./bind-host";

describe("where the listeners bind (BOTDESK_HOST)", () => {
  it("is loopback for the embedded demo, every interface with DATABASE_URL, and BOTDESK_HOST when set", () => {
    expect(resolveBindHost(undefined, false)).toBe("127.0.0.1");
    expect(resolveBindHost(undefined, true)).toBeUndefined();
    expect(resolveBindHost("0.0.0.0", false)).toBe("0.0.0.0");
    expect(resolveBindHost("10.1.2.3", true)).toBe("10.1.2.3");
  });

  it("is said on the console with the address a browser on this machine uses", () => {
    expect(`${dashboardUrl("127.0.0.1", 3000)} ${reachability("127.0.0.1")}`).toBe(
      "http://localhost:3000 (listening on 127.0.0.1 only; set BOTDESK_HOST=0.0.0.0 to open it to the network)",
    );
    expect(`${dashboardUrl(undefined, 3000)} ${reachability(undefined)}`).toBe("http://localhost:3000 (listening on every interface)");
    expect(`${dashboardUrl("::", 8080)} ${reachability("::")}`).toBe("http://localhost:8080 (listening on every interface, ::)");
    expect(`${dashboardUrl("10.1.2.3", 3000)} ${reachability("10.1.2.3")}`).toBe("http://10.1.2.3:3000 (listening on 10.1.2.3 only)");
    expect(dashboardUrl("fd00::5", 3000)).toBe("http://[fd00::5]:3000");
    expect(reachability("::1")).toMatch(/^\(listening on ::1 only; set BOTDESK_HOST=0\.0\.0\.0/);
  });
});
