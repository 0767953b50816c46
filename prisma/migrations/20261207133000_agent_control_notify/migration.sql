-- Hand-written: live control of agent sessions (issue 19, item 7). Every change that can end a
-- tunnel session NOTIFYs the channel "botdesk_agent_control" from the database itself, so no
-- caller can forget it and the notification is delivered only when the change commits (NOTIFY
-- is transactional). The instance holding the session (lib/tunnels/control) listens, re-checks
-- the credential through the one check and ends the session at once. Payloads carry ids only,
-- never secrets, one row each (always far below PostgreSQL's 8000-byte limit):
--   c:<credential id>   revoked, its expiry changed, or deleted
--   p:<principal id>    deactivated, reactivated or deleted (a tombstone)
--   m:<principal id>    a person's membership deactivated or removed (their credentials in that account)
--   s:<session id>      a session ended (the stop API, the sweep, another instance)
CREATE FUNCTION "agent_control_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- TG_ARGV: the payload's kind and the column holding the id it names.
  changed jsonb := CASE TG_OP WHEN 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END;
BEGIN
  PERFORM pg_notify('botdesk_agent_control', TG_ARGV[0] || ':' || (changed ->> TG_ARGV[1]));
  RETURN NULL;
END
$$;

CREATE TRIGGER "credentials_agent_control" AFTER UPDATE OF "revoked_at", "expires_at" ON "credentials"
  FOR EACH ROW WHEN (OLD."revoked_at" IS DISTINCT FROM NEW."revoked_at" OR OLD."expires_at" IS DISTINCT FROM NEW."expires_at")
  EXECUTE FUNCTION "agent_control_notify"('c', 'id');
CREATE TRIGGER "credentials_deleted_agent_control" AFTER DELETE ON "credentials"
  FOR EACH ROW EXECUTE FUNCTION "agent_control_notify"('c', 'id');
CREATE TRIGGER "principals_agent_control" AFTER UPDATE OF "status", "deleted_at" ON "principals"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."deleted_at" IS DISTINCT FROM NEW."deleted_at")
  EXECUTE FUNCTION "agent_control_notify"('p', 'id');
CREATE TRIGGER "memberships_agent_control" AFTER UPDATE OF "status" ON "memberships"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status")
  EXECUTE FUNCTION "agent_control_notify"('m', 'principal_id');
CREATE TRIGGER "memberships_deleted_agent_control" AFTER DELETE ON "memberships"
  FOR EACH ROW EXECUTE FUNCTION "agent_control_notify"('m', 'principal_id');
CREATE TRIGGER "tunnel_sessions_agent_control" AFTER UPDATE OF "ended_at" ON "tunnel_sessions"
  FOR EACH ROW WHEN (OLD."ended_at" IS NULL AND NEW."ended_at" IS NOT NULL)
  EXECUTE FUNCTION "agent_control_notify"('s', 'id');
