-- CreateTable
CREATE TABLE "event_destinations" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "metadata" TEXT NOT NULL DEFAULT '',
    "kind" TEXT NOT NULL,
    "target" JSONB NOT NULL,
    "secret_sealed" TEXT NOT NULL,
    "failing_since" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_destinations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "event_subscriptions" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "metadata" TEXT NOT NULL DEFAULT '',
    "sources" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "event_subscription_destinations" (
    "subscription_id" TEXT NOT NULL,
    "destination_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,

    CONSTRAINT "event_subscription_destinations_pkey" PRIMARY KEY ("subscription_id","destination_id")
);

-- CreateTable
CREATE TABLE "event_deliveries" (
    "destination_id" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_status" INTEGER,
    "last_error" TEXT,
    "latency_ms" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "event_deliveries_pkey" PRIMARY KEY ("destination_id","event_id")
);

-- CreateIndex
CREATE INDEX "event_destinations_account_id_id_idx" ON "event_destinations"("account_id", "id" DESC);

-- CreateIndex
CREATE INDEX "event_subscriptions_account_id_id_idx" ON "event_subscriptions"("account_id", "id" DESC);

-- CreateIndex
CREATE INDEX "event_subscription_destinations_account_id_idx" ON "event_subscription_destinations"("account_id");

-- CreateIndex
CREATE INDEX "event_subscription_destinations_destination_id_idx" ON "event_subscription_destinations"("destination_id");

-- CreateIndex
CREATE INDEX "event_deliveries_destination_id_status_created_at_idx" ON "event_deliveries"("destination_id", "status", "created_at");

-- CreateIndex
CREATE INDEX "event_deliveries_status_next_attempt_at_idx" ON "event_deliveries"("status", "next_attempt_at");

-- AddForeignKey
ALTER TABLE "event_destinations" ADD CONSTRAINT "event_destinations_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event_subscriptions" ADD CONSTRAINT "event_subscriptions_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event_subscription_destinations" ADD CONSTRAINT "event_subscription_destinations_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "event_subscriptions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event_subscription_destinations" ADD CONSTRAINT "event_subscription_destinations_destination_id_fkey" FOREIGN KEY ("destination_id") REFERENCES "event_destinations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event_deliveries" ADD CONSTRAINT "event_deliveries_destination_id_fkey" FOREIGN KEY ("destination_id") REFERENCES "event_destinations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
