"use client";

import { useRouter } from "next/navigation";
import { createContext, useContext, useEffect } from "react";
import { DEFAULT_TIME_ZONE, TIME_ZONE_COOKIE } from "@/lib/time-zone";

const TimeZoneContext = createContext(DEFAULT_TIME_ZONE);

/** The zone every time on the page is shown in: the one the server rendered with. */
export function useTimeZone(): string {
  return useContext(TimeZoneContext);
}

function cookieZone(): string | undefined {
  const prefix = `${TIME_ZONE_COOKIE}=`;
  const found = document.cookie.split("; ").find((c) => c.startsWith(prefix));
  return found ? decodeURIComponent(found.slice(prefix.length)) : undefined;
}

/**
 * Gives the page the zone the server rendered its times in, and tells the server the browser's
 * zone: when the cookie does not name it yet (a first visit, or the machine's zone changed), it is
 * set and the page is rendered again once, in that zone. The sign-in page sets it before anyone
 * reaches the dashboard, so this refresh is rare.
 */
export function TimeZoneProvider({ zone, children }: { zone: string; children: React.ReactNode }) {
  const router = useRouter();
  useEffect(() => {
    const browser = Intl.DateTimeFormat().resolvedOptions().timeZone || DEFAULT_TIME_ZONE;
    if (cookieZone() === browser) return;
    const secure = location.protocol === "https:" ? "; Secure" : "";
    document.cookie = `${TIME_ZONE_COOKIE}=${encodeURIComponent(browser)}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
    if (browser !== zone) router.refresh();
  }, [zone, router]);
  return <TimeZoneContext.Provider value={zone}>{children}</TimeZoneContext.Provider>;
}
