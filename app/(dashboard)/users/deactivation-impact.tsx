"use client";

import { useEffect, useState } from "react";
import { callAction } from "@/components/call-action";
import { pick, plural } from "@/components/format";
import { HEARTBEAT_INTERVAL_SECONDS } from "@/lib/domain/agent-sessions/limits";
import { deactivationImpactAction } from "./actions";

/** What a deactivation stops, counted by the server when the confirmation opens. */
export type DeactivationImpact = "loading" | "failed" | { credentials: number; sessions: number };

/** Counts the working credentials and live agent sessions of `ids` (null: nothing asked, nothing counted). */
export function useDeactivationImpact(ids: string[] | null): DeactivationImpact {
  const key = ids && ids.length > 0 ? ids.join(",") : "";
  const [counted, setCounted] = useState<{ key: string; impact: DeactivationImpact } | null>(null);
  useEffect(() => {
    if (!key) return;
    let current = true;
    void callAction(() => deactivationImpactAction({ ids: key.split(",") })).then((r) => {
      if (current) setCounted({ key, impact: r.ok ? r.data : "failed" });
    });
    return () => {
      current = false;
      // Counted afresh each time the confirmation opens: sessions come and go.
      setCounted(null);
    };
  }, [key]);
  return counted && counted.key === key ? counted.impact : "loading";
}

/** "1 live agent session ends …": the sentence about sessions in a deactivation's confirmation. */
export function SessionsEffect({ impact, testId }: { impact: DeactivationImpact; testId: string }) {
  return (
    <p data-testid={testId} aria-live="polite">
      {impact === "loading"
        ? "Counting live agent sessions…"
        : impact === "failed"
          ? "Botdesk could not count the live agent sessions; any that are live end too."
          : impact.sessions === 0
            ? "No agent session is live, so none ends."
            : `${plural(impact.sessions, "live agent session ends", "live agent sessions end")} at ${pick(impact.sessions, "its", "their")} next heartbeat (within ${HEARTBEAT_INTERVAL_SECONDS} seconds).`}
    </p>
  );
}
