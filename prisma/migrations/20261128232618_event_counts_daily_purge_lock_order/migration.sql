-- Hand-written: the retention purge may run on several instances at once (each deletes rows the
-- other skipped). Their roll-up updates could then lock the same (account, day, type) rows in
-- different orders and deadlock; lock them in key order first, as the insert trigger upserts.
CREATE OR REPLACE FUNCTION "event_counts_daily_remove"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM "event_counts_daily" c
  WHERE (c."account_id", c."day", c."type") IN (
    SELECT DISTINCT "account_id", ("created_at" AT TIME ZONE 'UTC')::date, "type" FROM "deleted_events")
  ORDER BY c."account_id", c."day", c."type"
  FOR UPDATE;
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
