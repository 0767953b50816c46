-- Attribution: the credential an action was done with (kept after the credential is
-- deleted, with its display form), the kind of the subject, and the bot an event
-- concerns, so a bot's feed (everything by it, about it and about its credentials)
-- is one index walk.
ALTER TABLE "events" ADD COLUMN "bot_id" TEXT,
    ADD COLUMN "credential_id" TEXT,
    ADD COLUMN "credential_display" TEXT,
    ADD COLUMN "subject_kind" TEXT;

UPDATE "events" SET "subject_kind" = CASE split_part("subject_id", '_', 1)
    WHEN 'bot' THEN 'bot' WHEN 'usr' THEN 'person' WHEN 'ac' THEN 'account'
    WHEN 'cr' THEN 'credential' WHEN 'ak' THEN 'credential' WHEN 'sshcr' THEN 'credential' END
  WHERE "subject_id" IS NOT NULL;

UPDATE "events" e SET "bot_id" = CASE
    WHEN e."principal_id" LIKE 'bot\_%' THEN e."principal_id"
    WHEN e."subject_id" LIKE 'bot\_%' THEN e."subject_id"
    ELSE (SELECT c."owner_id" FROM "credentials" c WHERE c."id" = e."subject_id" AND c."owner_id" LIKE 'bot\_%') END;

-- Partial (schema.prisma cannot express them): a bot's feed is one index walk, newest first,
-- keyset-paged on (created_at, id); events that concern no bot, or were done with no
-- credential (the dashboard's), cost these indexes nothing on insert.
CREATE INDEX "events_bot_feed_idx" ON "events"("bot_id", "created_at" DESC, "id" DESC) WHERE "bot_id" IS NOT NULL;
CREATE INDEX "events_credential_feed_idx" ON "events"("credential_id", "created_at" DESC, "id" DESC) WHERE "credential_id" IS NOT NULL;
