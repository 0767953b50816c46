-- CreateTable
CREATE TABLE "reserved_domains" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "domain" TEXT NOT NULL,
    "zone_key" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "metadata" TEXT NOT NULL DEFAULT '',
    "region" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reserved_domains_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "reserved_domains_domain_key" ON "reserved_domains"("domain");

-- CreateIndex
CREATE INDEX "reserved_domains_account_id_id_idx" ON "reserved_domains"("account_id", "id" DESC);

-- CreateIndex
CREATE INDEX "reserved_domains_zone_key_idx" ON "reserved_domains"("zone_key");

-- AddForeignKey
ALTER TABLE "reserved_domains" ADD CONSTRAINT "reserved_domains_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Hand-written: what schema.prisma cannot express.
-- A reserved name is stored as lib/domain/domains/domain-name.ts normalises it: lowercase
-- letters, digits, hyphens and dots, an optional leading `*.`, at most 253 characters; its
-- zone key is never empty and ends with a dot.
ALTER TABLE "reserved_domains" ADD CONSTRAINT "reserved_domains_domain_form" CHECK ("domain" ~ '^(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)+$' AND length("domain") <= 253);
ALTER TABLE "reserved_domains" ADD CONSTRAINT "reserved_domains_zone_key_form" CHECK ("zone_key" ~ '^([a-z0-9-]+\.){2,}$');
-- Names under a reservation (another account's overlap check, the random-name check) are found by prefix.
CREATE INDEX "reserved_domains_zone_key_prefix_idx" ON "reserved_domains"("zone_key" text_pattern_ops);

-- One hostname is served by one endpoint at a time (ERR_NGROK_334), on every instance: at most
-- one open endpoint per hostname (HTTP, HTTPS, TLS) and per TCP address. Endpoints bound twice
-- before this rule keep only the newest open (the older ones are ended with their binds' time
-- unchanged; their sessions stay open).
UPDATE "tunnel_endpoints" e SET "ended_at" = CURRENT_TIMESTAMP
WHERE e."ended_at" IS NULL AND e."hostname" IS NOT NULL AND EXISTS (
  SELECT 1 FROM "tunnel_endpoints" o
  WHERE o."ended_at" IS NULL AND o."id" > e."id"
    AND CASE WHEN e."url" LIKE 'tcp://%' THEN o."url" = e."url" ELSE o."hostname" = e."hostname" AND o."url" NOT LIKE 'tcp://%' END);
CREATE UNIQUE INDEX "tunnel_endpoints_open_hostname_key" ON "tunnel_endpoints"("hostname")
  WHERE "ended_at" IS NULL AND "hostname" IS NOT NULL AND "url" NOT LIKE 'tcp://%';
CREATE UNIQUE INDEX "tunnel_endpoints_open_tcp_url_key" ON "tunnel_endpoints"("url")
  WHERE "ended_at" IS NULL AND "url" LIKE 'tcp://%';
-- GET /api/v1/endpoints: an account's open endpoints, newest first.
CREATE INDEX "tunnel_endpoints_open_account_id_id_idx" ON "tunnel_endpoints"("account_id", "id" DESC) WHERE "ended_at" IS NULL;
