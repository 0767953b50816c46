-- Several instances (issue 19, item 9): each open session records the address of the instance
-- holding its agent's connection, so an instance that receives a request for one of its endpoints
-- forwards it there (lib/tunnels/forwarder). Null for sessions of an instance that does not forward.
ALTER TABLE "tunnel_sessions" ADD COLUMN "instance_address" TEXT;
