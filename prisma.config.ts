import { defineConfig } from "prisma/config";

// The CLI reads the schema from here. Migrations are applied by Botdesk's own
// runner (lib/db/migrate.ts) at start, in Prisma's format, so `prisma migrate
// deploy` can take over on machines that have Prisma's engine.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/botdesk" },
});
