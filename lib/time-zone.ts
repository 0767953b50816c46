/**
 * The viewer's time zone, for the times the dashboard shows. The browser names it (an IANA zone
 * such as "America/New_York") in a cookie; the server renders every time in it, so server and
 * client components show the same characters and nothing changes after hydration. Anything the
 * cookie holds that is not a zone this runtime knows reads as UTC.
 */
export const TIME_ZONE_COOKIE = "botdesk_tz";
export const DEFAULT_TIME_ZONE = "UTC";
const TIME_ZONE_MAX = 64;

const known = new Map<string, boolean>();

export function normalizeTimeZone(value: string | null | undefined): string {
  if (!value || value.length > TIME_ZONE_MAX || !/^[A-Za-z0-9_+\-/]+$/.test(value)) return DEFAULT_TIME_ZONE;
  let ok = known.get(value);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: value });
      ok = true;
    } catch {
      ok = false;
    }
    if (known.size < 1000) known.set(value, ok);
  }
  return ok ? value : DEFAULT_TIME_ZONE;
}
