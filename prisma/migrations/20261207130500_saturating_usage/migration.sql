-- Hand-written: usage counters saturate instead of overflowing. Traffic counts now come from
-- what the ingress carried; no amount of traffic may overflow a counter and turn every usage
-- page of the account into an error (issue 19: 2^53-1 bytes reported ~1,100 times overflowed a
-- bigint, and every usage view answered 500 until the month ended). "saturating_add" clamps a
-- sum to 0..2^53-1 (9,007,199,254,740,991: 8 PiB, far beyond any month's traffic): every reader
-- turns counters into JavaScript numbers, which are exact up to there, and a principal's
-- bandwidth (bytes in + out) or an account's sum over up to 1,024 saturated principals stays
-- within bigint. recordUsage, the carried-traffic flush (tunnel_sessions) and this roll-up add
-- through it. A saturated counter stays at the cap: it reads "at least this much".
CREATE FUNCTION "saturating_add"(a bigint, b bigint) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT LEAST(GREATEST(a::numeric + b, 0), 9007199254740991)::bigint
$$;

CREATE OR REPLACE FUNCTION "usage_monthly_apply"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The common case, recordUsage's ON CONFLICT DO UPDATE: add the difference to the same month's row.
  IF TG_OP = 'UPDATE' AND NEW."account_id" = OLD."account_id" AND NEW."principal_id" = OLD."principal_id"
     AND date_trunc('month', NEW."day"::timestamp) = date_trunc('month', OLD."day"::timestamp) THEN
    UPDATE "usage_monthly" SET
      "sessions" = "saturating_add"("sessions", NEW."sessions" - OLD."sessions"),
      "endpoints" = "saturating_add"("endpoints", NEW."endpoints" - OLD."endpoints"),
      "bytes_in" = "saturating_add"("bytes_in", NEW."bytes_in" - OLD."bytes_in"),
      "bytes_out" = "saturating_add"("bytes_out", NEW."bytes_out" - OLD."bytes_out"),
      "tunnel_requests" = "saturating_add"("tunnel_requests", NEW."tunnel_requests" - OLD."tunnel_requests"),
      "api_requests" = "saturating_add"("api_requests", NEW."api_requests" - OLD."api_requests")
    WHERE "account_id" = NEW."account_id" AND "month" = date_trunc('month', NEW."day"::timestamp)::date AND "principal_id" = NEW."principal_id";
    RETURN NULL;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE "usage_monthly" SET
      "sessions" = "saturating_add"("sessions", -OLD."sessions"),
      "endpoints" = "saturating_add"("endpoints", -OLD."endpoints"),
      "bytes_in" = "saturating_add"("bytes_in", -OLD."bytes_in"),
      "bytes_out" = "saturating_add"("bytes_out", -OLD."bytes_out"),
      "tunnel_requests" = "saturating_add"("tunnel_requests", -OLD."tunnel_requests"),
      "api_requests" = "saturating_add"("api_requests", -OLD."api_requests"),
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
      "sessions" = "saturating_add"(m."sessions", EXCLUDED."sessions"),
      "endpoints" = "saturating_add"(m."endpoints", EXCLUDED."endpoints"),
      "bytes_in" = "saturating_add"(m."bytes_in", EXCLUDED."bytes_in"),
      "bytes_out" = "saturating_add"(m."bytes_out", EXCLUDED."bytes_out"),
      "tunnel_requests" = "saturating_add"(m."tunnel_requests", EXCLUDED."tunnel_requests"),
      "api_requests" = "saturating_add"(m."api_requests", EXCLUDED."api_requests"),
      "days" = m."days" + 1;
  END IF;
  RETURN NULL;
END;
$$;

