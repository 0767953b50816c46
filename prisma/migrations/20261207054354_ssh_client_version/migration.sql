-- Hand-written, data only: SSH sessions kept the client's version comment ("Debian-2+deb12u6",
-- the package's build) as their OS. It is part of the client's version string: move it there
-- ("OpenSSH_9.2p1 Debian-2+deb12u6") and leave the OS unknown, as new SSH sessions have it.
UPDATE "tunnel_sessions"
SET "agent_version" = left("agent_version" || ' ' || "os", 64), "os" = 'unknown'
WHERE "transport" = 'ssh' AND "os" <> 'unknown';
