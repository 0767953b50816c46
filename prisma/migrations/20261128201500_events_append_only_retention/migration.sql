-- Retention: how long an account keeps its events (the hourly purge deletes older ones).
ALTER TABLE "accounts" ADD COLUMN "event_retention_days" INTEGER NOT NULL DEFAULT 400;
-- Hand-written: a CHECK, which schema.prisma cannot express.
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_event_retention_days_check" CHECK ("event_retention_days" BETWEEN 1 AND 36500);

-- Hand-written: events are append-only. No page, action, API or script may change or delete
-- one; only the retention purge (purgeExpiredEvents) deletes, after setting the
-- transaction-local flag botdesk.purging = 'on'. Updates are refused even then.
CREATE FUNCTION "events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('botdesk.purging', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'events are append-only: % on events is refused', TG_OP
    USING ERRCODE = 'insufficient_privilege', HINT = 'Only the retention purge deletes events.';
END;
$$;

CREATE TRIGGER "events_append_only_rows" BEFORE UPDATE OR DELETE ON "events"
  FOR EACH ROW EXECUTE FUNCTION "events_append_only"();
CREATE TRIGGER "events_append_only_truncate" BEFORE TRUNCATE ON "events"
  FOR EACH STATEMENT EXECUTE FUNCTION "events_append_only"();
