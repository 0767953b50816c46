/**
 * Runs once when a server instance starts: notes each request's socket address,
 * and records `credential.expired` events once a minute. Several instances may
 * run it; each expiry is claimed once.
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  // First: every request after this knows its socket's address (see peer-address.ts).
  const { installPeerAddressHeader } = await import("./lib/server/peer-address");
  installPeerAddressHeader();
  const { recordExpiredCredentials } = await import("./lib/domain/credentials/record-expired-credentials");
  const sweep = () =>
    recordExpiredCredentials().catch((error: unknown) => {
      console.error("[botdesk] recording expired credentials failed:", error instanceof Error ? error.message : error);
    });
  setTimeout(sweep, 5_000).unref();
  setInterval(sweep, 60_000).unref();
}
