-- Hand-written: partial indexes, which schema.prisma cannot express.
-- The Overview's insights count from the index alone (index-only scans): each index holds every column its count tests.
DROP INDEX "credentials_live_account_id_last_used_at_idx";
DROP INDEX "credentials_live_account_id_expires_at_idx";

-- Live credentials never used (last_used_at IS NULL) or not used since a cutoff, and not yet expired.
CREATE INDEX "credentials_live_account_id_last_used_at_idx" ON "credentials"("account_id", "last_used_at", "expires_at") WHERE "revoked_at" IS NULL;

-- Live credentials of an account expiring soon.
CREATE INDEX "credentials_live_account_id_expires_at_idx" ON "credentials"("account_id", "expires_at") WHERE "revoked_at" IS NULL AND "expires_at" IS NOT NULL;

-- Live, active bots with no activity since a cutoff (or none, and made before it).
CREATE INDEX "principals_idle_bots_idx" ON "principals"("account_id", "last_activity_at", "created_at") WHERE "kind" = 'bot' AND "deleted_at" IS NULL AND "status" = 'active';
