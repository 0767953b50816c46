-- AlterTable
ALTER TABLE "event_counts_daily_pending" ADD COLUMN     "bot_id" TEXT;

-- CreateTable
CREATE TABLE "bot_event_counts_daily" (
    "account_id" TEXT NOT NULL,
    "bot_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "type" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "bot_event_counts_daily_pkey" PRIMARY KEY ("bot_id","day","type")
);

-- AddForeignKey
ALTER TABLE "bot_event_counts_daily" ADD CONSTRAINT "bot_event_counts_daily_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written (issue 20): a bot's page's 30-day chart counted the bot's raw events (32,399 rows
-- for a busy bot: 50–89 ms, the page's whole cost). The daily roll-up now also has a per-bot
-- twin, kept the same way: the triggers' deltas carry the events' bot_id (one delta per account,
-- day, type and bot; still no key, no lock on a shared row), the compaction folds the deltas with
-- a bot into bot_event_counts_daily as well as all of them into event_counts_daily, and the
-- bot's chart reads bot_event_counts_daily plus its pending deltas (one snapshot: exactly a count
-- over the bot's events).
CREATE OR REPLACE FUNCTION "event_counts_daily_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "event_counts_daily_pending" ("account_id", "day", "type", "bot_id", "n")
  SELECT "account_id", ("created_at" AT TIME ZONE 'UTC')::date, "type", "bot_id", count(*)::int
  FROM "inserted_events" GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION "event_counts_daily_remove"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "event_counts_daily_pending" ("account_id", "day", "type", "bot_id", "n")
  SELECT "account_id", ("created_at" AT TIME ZONE 'UTC')::date, "type", "bot_id", -count(*)::int
  FROM "deleted_events" GROUP BY 1, 2, 3, 4;
  RETURN NULL;
END;
$$;

-- As before (one compaction at a time, the deltas it deletes are the ones it adds, rows that
-- reach 0 are deleted, deltas of a deleted account dropped), now into both roll-ups in one
-- transaction. Both upserts lock rows in key order.
CREATE OR REPLACE FUNCTION "event_counts_daily_compact"() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  folded bigint;
  emptied_accounts text[];
  emptied_days date[];
  emptied_types text[];
  emptied_bots text[];
  emptied_bot_days date[];
  emptied_bot_types text[];
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtextextended('botdesk.event_counts_daily_compact', 0)) THEN
    RETURN NULL;
  END IF;
  WITH moved AS (
    DELETE FROM "event_counts_daily_pending" RETURNING "account_id", "bot_id", "day", "type", "n"
  ), live AS (
    SELECT m.* FROM moved m WHERE EXISTS (SELECT 1 FROM "accounts" a WHERE a."id" = m."account_id")
  ), upserted AS (
    INSERT INTO "event_counts_daily" AS c ("account_id", "day", "type", "n")
    SELECT l."account_id", l."day", l."type", sum(l."n")::int FROM live l
    GROUP BY 1, 2, 3 HAVING sum(l."n") <> 0 ORDER BY 1, 2, 3
    ON CONFLICT ("account_id", "day", "type") DO UPDATE SET "n" = c."n" + EXCLUDED."n"
    RETURNING c."account_id", c."day", c."type", c."n"
  ), bot_upserted AS (
    INSERT INTO "bot_event_counts_daily" AS b ("account_id", "bot_id", "day", "type", "n")
    SELECT l."account_id", l."bot_id", l."day", l."type", sum(l."n")::int FROM live l WHERE l."bot_id" IS NOT NULL
    GROUP BY 1, 2, 3, 4 HAVING sum(l."n") <> 0 ORDER BY 2, 3, 4
    ON CONFLICT ("bot_id", "day", "type") DO UPDATE SET "n" = b."n" + EXCLUDED."n"
    RETURNING b."bot_id", b."day", b."type", b."n"
  )
  SELECT (SELECT count(*) FROM moved),
         (SELECT array_agg(u."account_id") FILTER (WHERE u."n" <= 0) FROM upserted u),
         (SELECT array_agg(u."day") FILTER (WHERE u."n" <= 0) FROM upserted u),
         (SELECT array_agg(u."type") FILTER (WHERE u."n" <= 0) FROM upserted u),
         (SELECT array_agg(v."bot_id") FILTER (WHERE v."n" <= 0) FROM bot_upserted v),
         (SELECT array_agg(v."day") FILTER (WHERE v."n" <= 0) FROM bot_upserted v),
         (SELECT array_agg(v."type") FILTER (WHERE v."n" <= 0) FROM bot_upserted v)
  INTO folded, emptied_accounts, emptied_days, emptied_types, emptied_bots, emptied_bot_days, emptied_bot_types;
  IF emptied_accounts IS NOT NULL THEN
    DELETE FROM "event_counts_daily" c
    USING unnest(emptied_accounts, emptied_days, emptied_types) AS g("account_id", "day", "type")
    WHERE c."account_id" = g."account_id" AND c."day" = g."day" AND c."type" = g."type" AND c."n" <= 0;
  END IF;
  IF emptied_bots IS NOT NULL THEN
    DELETE FROM "bot_event_counts_daily" b
    USING unnest(emptied_bots, emptied_bot_days, emptied_bot_types) AS g("bot_id", "day", "type")
    WHERE b."bot_id" = g."bot_id" AND b."day" = g."day" AND b."type" = g."type" AND b."n" <= 0;
  END IF;
  RETURN folded;
END;
$$;

-- Backfill from the events already recorded (deltas pending from before carry no bot and stay
-- the account roll-up's only: the bots' counts start from the events themselves).
INSERT INTO "bot_event_counts_daily" ("account_id", "bot_id", "day", "type", "n")
SELECT "account_id", "bot_id", ("created_at" AT TIME ZONE 'UTC')::date, "type", count(*)::int
FROM "events" WHERE "bot_id" IS NOT NULL GROUP BY 1, 2, 3, 4;
