-- Hand-written: partial indexes, which schema.prisma cannot express.
-- The users page's bot list (listBots: an account's live bots, one page in any of its four sorts, the id
-- breaking ties) walks one of these in its order and stops after the page, instead of sorting every live
-- bot of the account (by last activity or status: 4-11 ms at 10,000 bots, now 0.06 ms) or re-sorting the
-- groups of an index that also holds people and deleted bots (by name, page 200: 2.4 -> 1.6 ms).
CREATE INDEX "principals_live_bots_name_idx" ON "principals"("account_id", "name_key", "id") WHERE "kind" = 'bot' AND "deleted_at" IS NULL;
CREATE INDEX "principals_live_bots_activity_idx" ON "principals"("account_id", "last_activity_at" DESC NULLS LAST, "id" DESC) WHERE "kind" = 'bot' AND "deleted_at" IS NULL;
CREATE INDEX "principals_live_bots_status_idx" ON "principals"("account_id", "status", "id") WHERE "kind" = 'bot' AND "deleted_at" IS NULL;
CREATE INDEX "principals_live_bots_created_idx" ON "principals"("account_id", "created_at" DESC, "id" DESC) WHERE "kind" = 'bot' AND "deleted_at" IS NULL;
