/**
 * Seeds the demo account on an empty database. `npm start` runs it in a process
 * of its own, only when the database has no account, so the long-running
 * launcher never loads Prisma or the password hasher. The demo people's
 * password is BOTDESK_ADMIN_PASSWORD, or else the one the launcher generated
 * and writes to this process's file descriptor 3 (never its environment); the
 * launcher prints it. Exit 0: seeded here; 3: another instance seeded it first.
 */
import { readFileSync } from "node:fs";
import { createPrismaClient } from "../lib/db/client";
import { DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL, seedDemoData } from "../lib/db/seed";
import { readEnv } from "../lib/env";

const env = readEnv();
if (!env.DATABASE_URL) throw new Error("DATABASE_URL is not set");
const password = env.BOTDESK_ADMIN_PASSWORD ?? readFileSync(3, "utf8");
if (!password) throw new Error("No password for the demo people: set BOTDESK_ADMIN_PASSWORD, or let npm start generate one");
const prisma = createPrismaClient(env.DATABASE_URL, 1);
const seeded = await seedDemoData(prisma, { password }).finally(() => prisma.$disconnect());
if (seeded) console.log(`[botdesk] First start: created the demo account "Acme" with ${DEMO_ADMIN_EMAIL} (owner) and ${DEMO_MEMBER_EMAIL} (member).`);
process.exit(seeded ? 0 : 3);
