-- The activity feeds page by keyset on (created_at, id), newest first: every filter is one
-- index walk in that order (a category is one walk per type, merged), so the 50th page
-- costs what the first does at a million events.
DROP INDEX "events_account_id_created_at_idx";
DROP INDEX "events_principal_id_created_at_idx";
DROP INDEX "events_subject_id_created_at_idx";

CREATE INDEX "events_account_id_created_at_id_idx" ON "events"("account_id", "created_at" DESC, "id" DESC);
CREATE INDEX "events_account_id_type_created_at_id_idx" ON "events"("account_id", "type", "created_at" DESC, "id" DESC);
CREATE INDEX "events_account_id_source_created_at_id_idx" ON "events"("account_id", "source", "created_at" DESC, "id" DESC);
CREATE INDEX "events_principal_id_created_at_id_idx" ON "events"("principal_id", "created_at" DESC, "id" DESC);

-- Hand-written (partial, which schema.prisma cannot express): events about something (a
-- credential filter reads "done with it" and "about it"); most API events have no subject.
CREATE INDEX "events_subject_feed_idx" ON "events"("subject_id", "created_at" DESC, "id" DESC) WHERE "subject_id" IS NOT NULL;
