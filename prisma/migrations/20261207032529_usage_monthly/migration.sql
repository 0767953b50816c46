-- CreateTable
CREATE TABLE "usage_monthly" (
    "account_id" TEXT NOT NULL,
    "month" DATE NOT NULL,
    "principal_id" TEXT NOT NULL,
    "sessions" BIGINT NOT NULL DEFAULT 0,
    "endpoints" BIGINT NOT NULL DEFAULT 0,
    "bytes_in" BIGINT NOT NULL DEFAULT 0,
    "bytes_out" BIGINT NOT NULL DEFAULT 0,
    "tunnel_requests" BIGINT NOT NULL DEFAULT 0,
    "api_requests" BIGINT NOT NULL DEFAULT 0,
    "days" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "usage_monthly_pkey" PRIMARY KEY ("account_id","month","principal_id")
);

-- Hand-written: the monthly roll-up of usage_daily. /usage summed a month of usage_daily per
-- principal (one row per principal per day: 300,000 rows for 10,000 bots at the month's end) on
-- every view, and the over-quota banner did the same once a minute per process. A row trigger
-- keeps usage_monthly equal to that sum in the same statement as every write to usage_daily
-- (recordUsage's upsert, and any INSERT, UPDATE or DELETE), so readers get one row per principal.
-- It locks the writer's own (account, month, principal) row after its usage_daily row, in that
-- order for every writer: no row shared across principals, so metering in an account never waits
-- on another principal's transaction.
ALTER TABLE "usage_monthly" ADD CONSTRAINT "usage_monthly_non_negative" CHECK ("sessions" >= 0 AND "endpoints" >= 0 AND "bytes_in" >= 0 AND "bytes_out" >= 0 AND "tunnel_requests" >= 0 AND "api_requests" >= 0 AND "days" >= 0);

CREATE FUNCTION "usage_monthly_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The common case, recordUsage's ON CONFLICT DO UPDATE: add the difference to the same month's row.
  IF TG_OP = 'UPDATE' AND NEW."account_id" = OLD."account_id" AND NEW."principal_id" = OLD."principal_id"
     AND date_trunc('month', NEW."day"::timestamp) = date_trunc('month', OLD."day"::timestamp) THEN
    UPDATE "usage_monthly" SET
      "sessions" = "sessions" + (NEW."sessions" - OLD."sessions"),
      "endpoints" = "endpoints" + (NEW."endpoints" - OLD."endpoints"),
      "bytes_in" = "bytes_in" + (NEW."bytes_in" - OLD."bytes_in"),
      "bytes_out" = "bytes_out" + (NEW."bytes_out" - OLD."bytes_out"),
      "tunnel_requests" = "tunnel_requests" + (NEW."tunnel_requests" - OLD."tunnel_requests"),
      "api_requests" = "api_requests" + (NEW."api_requests" - OLD."api_requests")
    WHERE "account_id" = NEW."account_id" AND "month" = date_trunc('month', NEW."day"::timestamp)::date AND "principal_id" = NEW."principal_id";
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "usage_monthly" SET
      "sessions" = "sessions" - OLD."sessions",
      "endpoints" = "endpoints" - OLD."endpoints",
      "bytes_in" = "bytes_in" - OLD."bytes_in",
      "bytes_out" = "bytes_out" - OLD."bytes_out",
      "tunnel_requests" = "tunnel_requests" - OLD."tunnel_requests",
      "api_requests" = "api_requests" - OLD."api_requests",
      "days" = "days" - 1
    WHERE "account_id" = OLD."account_id" AND "month" = date_trunc('month', OLD."day"::timestamp)::date AND "principal_id" = OLD."principal_id";
    -- A principal whose month has no usage_daily row left has no usage that month.
    DELETE FROM "usage_monthly"
    WHERE "account_id" = OLD."account_id" AND "month" = date_trunc('month', OLD."day"::timestamp)::date AND "principal_id" = OLD."principal_id" AND "days" = 0;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    INSERT INTO "usage_monthly" AS m ("account_id", "month", "principal_id", "sessions", "endpoints", "bytes_in", "bytes_out", "tunnel_requests", "api_requests", "days")
    VALUES (NEW."account_id", date_trunc('month', NEW."day"::timestamp)::date, NEW."principal_id", NEW."sessions", NEW."endpoints", NEW."bytes_in", NEW."bytes_out", NEW."tunnel_requests", NEW."api_requests", 1)
    ON CONFLICT ("account_id", "month", "principal_id") DO UPDATE SET
      "sessions" = m."sessions" + EXCLUDED."sessions",
      "endpoints" = m."endpoints" + EXCLUDED."endpoints",
      "bytes_in" = m."bytes_in" + EXCLUDED."bytes_in",
      "bytes_out" = m."bytes_out" + EXCLUDED."bytes_out",
      "tunnel_requests" = m."tunnel_requests" + EXCLUDED."tunnel_requests",
      "api_requests" = m."api_requests" + EXCLUDED."api_requests",
      "days" = m."days" + 1;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "usage_monthly_apply" AFTER INSERT OR UPDATE OR DELETE ON "usage_daily"
FOR EACH ROW EXECUTE FUNCTION "usage_monthly_apply"();

CREATE FUNCTION "usage_monthly_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE "usage_monthly";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "usage_monthly_truncate" AFTER TRUNCATE ON "usage_daily"
FOR EACH STATEMENT EXECUTE FUNCTION "usage_monthly_truncate"();

-- What usage_daily already holds.
INSERT INTO "usage_monthly" ("account_id", "month", "principal_id", "sessions", "endpoints", "bytes_in", "bytes_out", "tunnel_requests", "api_requests", "days")
SELECT "account_id", date_trunc('month', "day"::timestamp)::date, "principal_id", sum("sessions"), sum("endpoints"), sum("bytes_in"), sum("bytes_out"),
       sum("tunnel_requests"), sum("api_requests"), count(*)::int
FROM "usage_daily" GROUP BY 1, 2, 3;
