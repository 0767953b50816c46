-- Hand-written: partial indexes, which schema.prisma cannot express.
-- The Overview's insights: live credentials never used (last_used_at IS NULL) or not used since a cutoff, per account.
CREATE INDEX "credentials_live_account_id_last_used_at_idx" ON "credentials"("account_id", "last_used_at") WHERE "revoked_at" IS NULL;

-- The Overview's insights: live credentials of an account expiring soon.
CREATE INDEX "credentials_live_account_id_expires_at_idx" ON "credentials"("account_id", "expires_at") WHERE "revoked_at" IS NULL AND "expires_at" IS NOT NULL;
