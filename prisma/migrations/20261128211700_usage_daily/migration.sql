-- CreateTable
CREATE TABLE "usage_daily" (
    "account_id" TEXT NOT NULL,
    "principal_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "sessions" INTEGER NOT NULL DEFAULT 0,
    "endpoints" INTEGER NOT NULL DEFAULT 0,
    "bytes_in" BIGINT NOT NULL DEFAULT 0,
    "bytes_out" BIGINT NOT NULL DEFAULT 0,
    "tunnel_requests" BIGINT NOT NULL DEFAULT 0,
    "api_requests" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_daily_pkey" PRIMARY KEY ("account_id","principal_id","day")
);

-- CreateIndex
CREATE INDEX "usage_daily_account_id_day_idx" ON "usage_daily"("account_id", "day");


-- Counters only grow (recordUsage adds non-negative amounts).
ALTER TABLE "usage_daily" ADD CONSTRAINT "usage_daily_non_negative" CHECK ("sessions" >= 0 AND "endpoints" >= 0 AND "bytes_in" >= 0 AND "bytes_out" >= 0 AND "tunnel_requests" >= 0 AND "api_requests" >= 0);
