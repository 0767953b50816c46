-- What an agent says about itself in Auth, kept with its session (issue 19, item 3): its host's name,
-- the client id it said (its previous session's, on a reconnect) and its user agent. Bounded here as in
-- lib/tunnels/agent/messages.ts; null where the agent said nothing (an SSH client has no hostname).
ALTER TABLE "tunnel_sessions" ADD COLUMN "hostname" VARCHAR(255),
ADD COLUMN "client_id" VARCHAR(128),
ADD COLUMN "user_agent" VARCHAR(512);
