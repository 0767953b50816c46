-- CreateTable
CREATE TABLE "tunnel_sessions" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "principal_id" TEXT NOT NULL,
    "credential_id" TEXT NOT NULL,
    "credential_display" TEXT NOT NULL,
    "transport" TEXT NOT NULL,
    "ip" TEXT,
    "agent_version" TEXT NOT NULL,
    "os" TEXT NOT NULL,
    "arch" TEXT NOT NULL,
    "metadata" TEXT NOT NULL DEFAULT '',
    "region" TEXT NOT NULL DEFAULT 'local',
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "bytes_in" BIGINT NOT NULL DEFAULT 0,
    "bytes_out" BIGINT NOT NULL DEFAULT 0,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "ended_at" TIMESTAMPTZ(3),
    "end_reason" TEXT,

    CONSTRAINT "tunnel_sessions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tunnel_endpoints" (
    "id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "principal_id" TEXT NOT NULL,
    "url" TEXT,
    "hostname" TEXT,
    "labels" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "tunnel_endpoints_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "tunnel_sessions_account_id_id_idx" ON "tunnel_sessions"("account_id", "id" DESC);

-- CreateIndex
CREATE INDEX "tunnel_sessions_principal_id_id_idx" ON "tunnel_sessions"("principal_id", "id" DESC);

-- CreateIndex
CREATE INDEX "tunnel_endpoints_session_id_idx" ON "tunnel_endpoints"("session_id");

-- AddForeignKey
ALTER TABLE "tunnel_endpoints" ADD CONSTRAINT "tunnel_endpoints_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "tunnel_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Hand-written: what schema.prisma cannot express.
-- The heartbeat sweep reads open sessions only, oldest heartbeat first.
CREATE INDEX "tunnel_sessions_open_heartbeat_idx" ON "tunnel_sessions"("last_heartbeat_at") WHERE "ended_at" IS NULL;

ALTER TABLE "tunnel_sessions" ADD CONSTRAINT "tunnel_sessions_transport" CHECK ("transport" IN ('ngrok/v2', 'ssh'));
-- An ended session says why; an open one has no reason.
ALTER TABLE "tunnel_sessions" ADD CONSTRAINT "tunnel_sessions_end_reason" CHECK (("ended_at" IS NULL) = ("end_reason" IS NULL));
