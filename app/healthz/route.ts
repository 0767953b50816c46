import { livenessResponse } from "@/lib/server/readiness";

/** Liveness for load balancers and supervisors: the process answers (no database, no auth, no cookies). */
export const dynamic = "force-dynamic";

export function GET(): Response {
  return livenessResponse();
}
