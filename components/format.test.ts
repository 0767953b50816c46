import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatTimeOfDay, pick, plural } from "@/components/format";
import { normalizeTimeZone } from "@/lib/time-zone";

// The oracle: ICU's own rendering of the same instant in the same zone (which the formatter does
// not use, because its characters vary between ICU versions; the numbers and offset must not).
function oracle(d: Date, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "shortOffset" })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  // ICU writes a zero offset "GMT" or "GMT+0" depending on its version; the dashboard writes "GMT".
  return `${parts.month} ${parts.day}, ${parts.year}, ${parts.hour}:${parts.minute} ${parts.timeZoneName!.replace(/^GMT\+0$/, "GMT")}`;
}

describe("times in the viewer's zone", () => {
  const instants = [
    "2026-11-29T02:05:37.500Z", // evening before, in New York
    "2026-03-08T06:59:00Z", // 01:59 EST, a minute before New York's clocks go forward
    "2026-03-08T07:00:00Z", // 03:00 EDT
    "2026-11-01T05:30:00Z", // 01:30 EDT; the same wall time an hour later is EST
    "2026-11-01T06:30:00Z",
    "2026-12-31T23:59:59.999Z", // a year boundary, and no rounding up to the next minute
    "2026-06-30T18:30:00Z", // midnight in India (+5:30)
  ].map((s) => new Date(s));
  const zones = ["America/New_York", "Asia/Kolkata", "Europe/London", "Australia/Adelaide", "Pacific/Chatham", "America/St_Johns"];

  for (const zone of zones) {
    it(`reads as ICU reads it in ${zone}, offset written out`, () => {
      for (const d of instants) expect(formatDateTime(d, zone), d.toISOString()).toBe(oracle(d, zone));
    });
  }

  it("writes UTC as UTC, and the day and time apart", () => {
    const d = new Date("2026-11-29T02:05:37.500Z");
    expect(formatDateTime(d)).toBe("Nov 29, 2026, 02:05 UTC");
    expect(formatDateTime(d, "UTC")).toBe("Nov 29, 2026, 02:05 UTC");
    expect(formatDate(d, "America/New_York")).toBe("Nov 28, 2026");
    expect(formatTimeOfDay(d, "America/New_York")).toBe("21:05 GMT-5");
    expect(formatTimeOfDay(new Date("2026-06-30T18:30:00Z"), "Asia/Kolkata")).toBe("00:00 GMT+5:30");
    expect(formatTimeOfDay(new Date("2026-01-15T12:00:00Z"), "Europe/London")).toBe("12:00 GMT");
  });

  it("takes only zones the runtime knows from the cookie, UTC otherwise", () => {
    expect(normalizeTimeZone("America/New_York")).toBe("America/New_York");
    expect(normalizeTimeZone("Asia/Kolkata")).toBe("Asia/Kolkata");
    for (const bad of [undefined, null, "", "Mars/Olympus_Mons", "America/New_York; Path=/", "<script>", "x".repeat(65), "../../etc/passwd", "Europe/Lon don"]) {
      expect(normalizeTimeZone(bad), String(bad)).toBe("UTC");
    }
  });
});

describe("plural and pick", () => {
  it("agree the word with the number", () => {
    expect(plural(1, "credential", "credentials")).toBe("1 credential");
    expect(plural(0, "credential", "credentials")).toBe("0 credentials");
    expect(plural(3, "bot", "bots")).toBe("3 bots");
    expect(`1 credential ${pick(1, "stops", "stop")} working`).toBe("1 credential stops working");
    expect(`2 credentials ${pick(2, "stops", "stop")} working`).toBe("2 credentials stop working");
  });
});
