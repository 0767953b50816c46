import { metricsResponse } from "@/lib/server/metrics";

/** Prometheus metrics: only with BOTDESK_METRICS_TOKEN set (404 otherwise), to `Authorization: Bearer <token>` (401 otherwise). */
export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return metricsResponse(request);
}
