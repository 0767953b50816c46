import { inject } from "vitest";

// Before any module reads the environment: point the app's Prisma client at the test database.
process.env.DATABASE_URL = inject("databaseUrl");
process.env.DATABASE_POOL_SIZE = String(inject("databasePoolSize"));
process.env.AUTH_SECRET ??= "test-secret-0123456789abcdef0123456789";
