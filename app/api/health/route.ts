/**
 * Liveness for load balancers and supervisors: answers while the web server
 * runs, without touching the database (a database outage is answered by the
 * pages themselves). Also the benchmark's bare-route-handler baseline.
 */
export const dynamic = "force-dynamic";

export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
