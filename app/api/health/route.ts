import { livenessResponse } from "@/lib/server/readiness";

/**
 * The older name of /healthz (liveness: answers while the web server runs,
 * without touching the database). Also the benchmark's bare-route-handler baseline.
 */
export const dynamic = "force-dynamic";

export function GET(): Response {
  return livenessResponse();
}
