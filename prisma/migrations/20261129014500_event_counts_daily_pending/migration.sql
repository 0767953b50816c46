-- CreateTable
CREATE TABLE "event_counts_daily_pending" (
    "account_id" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "type" TEXT NOT NULL,
    "n" INTEGER NOT NULL
);

-- CreateIndex
CREATE INDEX "event_counts_daily_pending_account_id_day_idx" ON "event_counts_daily_pending"("account_id", "day");

-- Hand-written: the roll-up's row per (account, day, type) was upserted by every statement that
-- recorded an event, so every transaction recording the same type in one account on one day
-- waited for the previous one to commit, and two transactions recording two types in opposite
-- orders could deadlock. The triggers now only append deltas to event_counts_daily_pending (no
-- key, no conflict, no lock on a shared row); the account's chart reads event_counts_daily plus
-- the account's pending deltas (one snapshot, so it is still exactly a count over events), and
-- event_counts_daily_compact() folds the deltas into event_counts_daily (run by every app
-- instance once a minute; one at a time).
CREATE OR REPLACE FUNCTION "event_counts_daily_add"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "event_counts_daily_pending" ("account_id", "day", "type", "n")
  SELECT "account_id", ("created_at" AT TIME ZONE 'UTC')::date, "type", count(*)::int
  FROM "inserted_events" GROUP BY 1, 2, 3;
  RETURN NULL;
END;
$$;

-- Only the retention purge deletes events (events_append_only): negative deltas. The days it
-- empties are dropped from event_counts_daily when the deltas are folded in.
CREATE OR REPLACE FUNCTION "event_counts_daily_remove"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "event_counts_daily_pending" ("account_id", "day", "type", "n")
  SELECT "account_id", ("created_at" AT TIME ZONE 'UTC')::date, "type", -count(*)::int
  FROM "deleted_events" GROUP BY 1, 2, 3;
  RETURN NULL;
END;
$$;

-- Folds every committed delta into event_counts_daily in one transaction: the deltas it deletes
-- are the ones it adds (a delta committed later stays for the next run), and rows that reach 0
-- are deleted. One compaction at a time (a transaction-scoped advisory lock; a second caller
-- returns NULL at once instead of waiting), so two never take the same deltas or lock roll-up
-- rows crosswise. Deltas of an account deleted meanwhile are dropped. Returns how many deltas
-- it folded.
CREATE FUNCTION "event_counts_daily_compact"() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
  folded bigint;
  emptied_accounts text[];
  emptied_days date[];
  emptied_types text[];
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtextextended('botdesk.event_counts_daily_compact', 0)) THEN
    RETURN NULL;
  END IF;
  WITH moved AS (
    DELETE FROM "event_counts_daily_pending" RETURNING "account_id", "day", "type", "n"
  ), upserted AS (
    INSERT INTO "event_counts_daily" AS c ("account_id", "day", "type", "n")
    SELECT m."account_id", m."day", m."type", sum(m."n")::int FROM moved m
    WHERE EXISTS (SELECT 1 FROM "accounts" a WHERE a."id" = m."account_id")
    GROUP BY 1, 2, 3 HAVING sum(m."n") <> 0 ORDER BY 1, 2, 3
    ON CONFLICT ("account_id", "day", "type") DO UPDATE SET "n" = c."n" + EXCLUDED."n"
    RETURNING c."account_id", c."day", c."type", c."n"
  )
  SELECT (SELECT count(*) FROM moved),
         array_agg(u."account_id") FILTER (WHERE u."n" <= 0),
         array_agg(u."day") FILTER (WHERE u."n" <= 0),
         array_agg(u."type") FILTER (WHERE u."n" <= 0)
  INTO folded, emptied_accounts, emptied_days, emptied_types
  FROM upserted u;
  IF emptied_accounts IS NOT NULL THEN
    DELETE FROM "event_counts_daily" c
    USING unnest(emptied_accounts, emptied_days, emptied_types) AS g("account_id", "day", "type")
    WHERE c."account_id" = g."account_id" AND c."day" = g."day" AND c."type" = g."type" AND c."n" <= 0;
  END IF;
  RETURN folded;
END;
$$;
