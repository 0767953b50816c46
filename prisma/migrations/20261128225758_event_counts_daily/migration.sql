-- CreateTable
CREATE TABLE "event_counts_daily" (
    "account_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "type" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "event_counts_daily_pkey" PRIMARY KEY ("account_id","day","type")
);

-- AddForeignKey
ALTER TABLE "event_counts_daily" ADD CONSTRAINT "event_counts_daily_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: the roll-up is kept by statement-level triggers on events, so every writer
-- (recordEvent, bulk inserts, seeds) and the retention purge keep it equal to a count over
-- events, in the same statement and transaction. One upsert per statement and (day, type):
-- a single recorded event costs one more index write, and a bulk insert of a million events
-- one aggregate. Rows are upserted in key order, so two statements never lock them crosswise.
CREATE FUNCTION "event_counts_daily_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "event_counts_daily" AS c ("account_id", "day", "type", "n")
  SELECT "account_id", ("created_at" AT TIME ZONE 'UTC')::date, "type", count(*)::int
  FROM "inserted_events" GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT ("account_id", "day", "type") DO UPDATE SET "n" = c."n" + EXCLUDED."n";
  RETURN NULL;
END;
$$;

-- Only the retention purge deletes events (events_append_only): subtract what it deleted,
-- and drop the days it emptied.
CREATE FUNCTION "event_counts_daily_remove"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "event_counts_daily" c SET "n" = c."n" - g."n"
  FROM (SELECT "account_id", ("created_at" AT TIME ZONE 'UTC')::date AS "day", "type", count(*)::int AS "n"
        FROM "deleted_events" GROUP BY 1, 2, 3) g
  WHERE c."account_id" = g."account_id" AND c."day" = g."day" AND c."type" = g."type";
  DELETE FROM "event_counts_daily" c
  USING (SELECT DISTINCT "account_id", ("created_at" AT TIME ZONE 'UTC')::date AS "day", "type" FROM "deleted_events") g
  WHERE c."n" <= 0 AND c."account_id" = g."account_id" AND c."day" = g."day" AND c."type" = g."type";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "event_counts_daily_on_insert" AFTER INSERT ON "events"
  REFERENCING NEW TABLE AS "inserted_events" FOR EACH STATEMENT EXECUTE FUNCTION "event_counts_daily_add"();
CREATE TRIGGER "event_counts_daily_on_delete" AFTER DELETE ON "events"
  REFERENCING OLD TABLE AS "deleted_events" FOR EACH STATEMENT EXECUTE FUNCTION "event_counts_daily_remove"();

-- Backfill from the events already recorded.
INSERT INTO "event_counts_daily" ("account_id", "day", "type", "n")
SELECT "account_id", ("created_at" AT TIME ZONE 'UTC')::date, "type", count(*)::int
FROM "events" GROUP BY 1, 2, 3;
