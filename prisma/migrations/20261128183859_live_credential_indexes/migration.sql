-- Hand-written: partial indexes, which schema.prisma cannot express.
-- The credentials list (live credentials of an account, newest first) and its count walk this index only.
CREATE INDEX "credentials_live_account_id_created_at_idx" ON "credentials"("account_id", "created_at" DESC, "id" DESC) WHERE "revoked_at" IS NULL;

-- The expiry sweep (every minute) reads only live credentials whose expiry is due and not yet recorded.
CREATE INDEX "credentials_expiry_due_idx" ON "credentials"("expires_at") WHERE "expires_at" IS NOT NULL AND "expiry_recorded_at" IS NULL AND "revoked_at" IS NULL;
