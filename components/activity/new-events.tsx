"use client";

import Link from "next/link";
import { useEffect, useState } from "react";

/**
 * "N new events": asks `pollUrl` (a count, at most 100, of events newer than
 * the newest shown) every 15 s while the tab is visible, and once when it
 * becomes visible again. Cheap when idle: one small indexed count per poll,
 * none while the tab is hidden.
 */
export function NewEvents({ pollUrl, showHref }: { pollUrl: string; showHref: string }) {
  const [count, setCount] = useState(0);
  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      if (document.visibilityState !== "visible") return;
      try {
        const res = await fetch(pollUrl, { cache: "no-store" });
        if (res.ok && !stopped) setCount(((await res.json()) as { count: number }).count);
      } catch {
        // Offline or the server restarting: try again at the next tick.
      }
    };
    const timer = setInterval(poll, 15_000);
    document.addEventListener("visibilitychange", poll);
    return () => {
      stopped = true;
      clearInterval(timer);
      document.removeEventListener("visibilitychange", poll);
    };
  }, [pollUrl]);
  return (
    <div aria-live="polite" className="min-h-0">
      {count > 0 && (
        <Link
          href={showHref}
          data-testid="new-events"
          className="inline-flex items-center gap-2 rounded-full bg-indigo-50 px-3 py-1 text-sm font-medium text-indigo-800 ring-1 ring-indigo-600/20 hover:bg-indigo-100"
        >
          {count >= 100 ? "100+ new events" : count === 1 ? "1 new event" : `${count} new events`} · Show
        </Link>
      )}
    </div>
  );
}
