/**
 * `npm run setup-link`: prints a new one-time link that creates the first
 * account on the PostgreSQL server of DATABASE_URL (valid 24 hours), and
 * makes every older link stop working. For when the link `npm start` printed
 * is lost, expired or was seen by someone it should not have been. Refuses
 * once an account exists: from then on, owners add people in the dashboard.
 */
import pg from "pg";
import { issueSetupToken } from "../lib/domain/setup/issue-setup-token";
import { setupLink } from "../lib/domain/setup/setup-token";
import { readEnv } from "../lib/env";
import { dashboardUrl, resolveBindHost } from "../lib/server/bind-host";

const env = readEnv();
if (!env.DATABASE_URL) {
  console.error("[botdesk] DATABASE_URL is not set. Setup links are for a PostgreSQL server: the embedded database starts with the demo account instead.");
  process.exit(2);
}
const client = new pg.Client({ connectionString: env.DATABASE_URL });
await client.connect();
try {
  const { rows } = await client.query<{ ready: boolean }>("SELECT to_regclass('setup_tokens') IS NOT NULL AS ready");
  if (!rows[0]!.ready) {
    console.error("[botdesk] This database is not prepared yet: run `npm start` (it applies the migrations and prints a setup link itself).");
    process.exit(2);
  }
  const issued = await issueSetupToken(client);
  if (!issued) {
    console.error("[botdesk] Botdesk is already set up: an account exists. Owners add people in the dashboard (Users).");
    process.exit(1);
  }
  const link = setupLink(dashboardUrl(resolveBindHost(env.BOTDESK_HOST, true), env.PORT), issued.token);
  console.log(`[botdesk] A new one-time setup link, valid until ${issued.expiresAt.toISOString()} (every older link stops working):`);
  console.log(`    ${link}`);
  console.log("[botdesk] (Reaching Botdesk at another address, through a proxy or a domain? Open the same /setup?token=… there.)");
} finally {
  await client.end();
}
