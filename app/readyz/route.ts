import { readinessResponse } from "@/lib/server/readiness";

/** Readiness for load balancers: the database answers and every shipped migration is applied (503 with a reason otherwise). */
export const dynamic = "force-dynamic";

export function GET(): Promise<Response> {
  return readinessResponse();
}
