/**
 * The operator's way back in when the only owner lost their password or second
 * factor (nobody in the dashboard can reset an account's only owner):
 *
 *   npm run reset-owner -- --email owner@example.com [--keep-password] [--keep-two-factor]
 *
 * Against DATABASE_URL, else the embedded database in BOTDESK_DATA_DIR (the
 * running Botdesk's, or started for this command). Prints a one-time password
 * that the owner must change at their next sign-in, clears their second
 * factor, ends their sessions, and records `person.operator_reset` (source
 * `system`) in their accounts. Exit 0: done; 1: refused or failed; 2: usage.
 */
import { parseArgs } from "node:util";
import { createPrismaClient } from "../lib/db/client";
import { applyMigrations } from "../lib/db/migrate";
import { openScriptDatabase } from "../lib/db/script-database";
import { operatorReset } from "../lib/domain/people/operator-reset";
import { readEnv } from "../lib/env";

const USAGE = "Usage: npm run reset-owner -- --email <owner's email> [--keep-password] [--keep-two-factor]";
const say = (line: string) => console.log(`[botdesk] ${line}`);

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { email: { type: "string" }, "keep-password": { type: "boolean", default: false }, "keep-two-factor": { type: "boolean", default: false }, help: { type: "boolean", short: "h" } },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.email) {
    console.error(USAGE);
    return 2;
  }
  const env = readEnv();
  const database = await openScriptDatabase({ databaseUrl: env.DATABASE_URL, dataDir: env.BOTDESK_DATA_DIR, log: say });
  try {
    say(`Data: ${database.where}.`);
    // The same migrations `npm start` applies (usually none are pending).
    await applyMigrations({ connectionString: database.url, log: say });
    const prisma = createPrismaClient(database.url, 1);
    const result = await operatorReset(prisma, { email: values.email, keepPassword: values["keep-password"]!, keepTwoFactor: values["keep-two-factor"]! }).finally(() =>
      prisma.$disconnect(),
    );
    if (!result.ok) {
      console.error(`[botdesk] ${result.message}`);
      return 1;
    }
    say(`Reset ${result.name} <${result.email}>, owner of ${result.accounts.join(", ")}. Every session of theirs has ended.`);
    if (result.oneTimePassword) {
      say(`One-time password: ${result.oneTimePassword}`);
      say("Give it to them over a safe channel: it is shown only now. At their next sign-in they must choose a new password.");
    }
    if (!values["keep-two-factor"]) {
      say(result.twoFactorCleared ? "Their second factor was cleared: they set up a new one in Settings (at once, where an account requires it)." : "They had no second factor.");
    }
    say("Recorded as the event person.operator_reset (source: system) in their accounts.");
    return 0;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[botdesk] reset-owner failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
