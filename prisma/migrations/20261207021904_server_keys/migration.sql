-- CreateTable
CREATE TABLE "server_keys" (
    "name" TEXT NOT NULL,
    "public_part" TEXT NOT NULL,
    "private_key_encrypted" BYTEA NOT NULL,
    "not_before" TIMESTAMPTZ(3),
    "not_after" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "server_keys_pkey" PRIMARY KEY ("name")
);

-- Hand-written: the rows the code knows, and never a private key in plain text. The encrypted form
-- starts with its format version (1) and holds at least an IV (12 bytes) and a GCM tag (16 bytes);
-- a PEM or OpenSSH key written here by mistake starts with '-' (0x2d) and is refused.
ALTER TABLE "server_keys" ADD CONSTRAINT "server_keys_name_known" CHECK ("name" IN ('agent-ca', 'agent-server', 'ssh-host'));
ALTER TABLE "server_keys" ADD CONSTRAINT "server_keys_private_key_sealed"
  CHECK (octet_length("private_key_encrypted") > 29 AND get_byte("private_key_encrypted", 0) = 1);
