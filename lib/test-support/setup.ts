import { freshDatabase } from "./fresh-database";

// Before any module reads the environment: point the app's Prisma client at this file's own database.
const database = await freshDatabase();
process.env.DATABASE_URL = database.url;
// A real pool, as the app has: concurrent requests in a test race for real.
process.env.DATABASE_POOL_SIZE = "10";
process.env.AUTH_SECRET ??= "test-secret-0123456789abcdef0123456789";
// Event streams: the tests' receivers listen in this loopback range, which destinations may then reach (safe-address.ts).
process.env.BOTDESK_DESTINATION_ALLOW ??= "127.77.0.0/24";
