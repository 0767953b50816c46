/**
 * Seeds the demo account on an empty database. `npm start` runs it in a process
 * of its own, only when the database has no account, so the long-running
 * launcher never loads Prisma or the password hasher. Exit 0: seeded here;
 * 3: another instance seeded it first.
 */
import { createPrismaClient } from "../lib/db/client";
import { DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL, seedDemoData } from "../lib/db/seed";
import { DEFAULT_ADMIN_PASSWORD, readEnv } from "../lib/env";

const env = readEnv();
if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set");
const say = (line: string) => console.log(`[botdesk] ${line}`);
const prisma = createPrismaClient(env.DATABASE_URL, 1);
const password = env.BOTDESK_ADMIN_PASSWORD ?? DEFAULT_ADMIN_PASSWORD;
const seeded = await seedDemoData(prisma, { password }).finally(() => prisma.$disconnect());
if (seeded) {
  say(`First start: created the demo account "Acme" with ${DEMO_ADMIN_EMAIL} (owner) and ${DEMO_MEMBER_EMAIL} (member).`);
  say(`Their password is "${password}"${env.BOTDESK_ADMIN_PASSWORD ? " (from BOTDESK_ADMIN_PASSWORD)" : ""}.`);
  if (!env.BOTDESK_ADMIN_PASSWORD) say("Change it after signing in (Settings), or set BOTDESK_ADMIN_PASSWORD before the first start.");
}
process.exit(seeded ? 0 : 3);
