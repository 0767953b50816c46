-- CreateEnum
CREATE TYPE "CredentialKind" AS ENUM ('authtoken', 'api_key', 'ssh_key');

-- AlterTable
ALTER TABLE "principals" ADD COLUMN     "last_activity_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "credentials" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "kind" "CredentialKind" NOT NULL,
    "owner_id" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "metadata" TEXT NOT NULL DEFAULT '',
    "acl" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "secret_hash" TEXT,
    "secret_hint" TEXT,
    "public_key" TEXT,
    "fingerprint" TEXT,
    "created_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "last_used_ip" TEXT,
    "rotated_from_id" TEXT,

    CONSTRAINT "credentials_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "credentials_owner_id_idx" ON "credentials"("owner_id");

-- CreateIndex
CREATE INDEX "credentials_account_id_kind_created_at_idx" ON "credentials"("account_id", "kind", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "credentials_account_id_fingerprint_key" ON "credentials"("account_id", "fingerprint");

-- CreateIndex
CREATE INDEX "principals_account_id_kind_last_activity_at_idx" ON "principals"("account_id", "kind", "last_activity_at");

-- AddForeignKey
ALTER TABLE "credentials" ADD CONSTRAINT "credentials_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "credentials" ADD CONSTRAINT "credentials_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "principals"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- A credential's owner (and account) is set at creation and never changes.
CREATE FUNCTION credentials_pin_owner() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.owner_id IS DISTINCT FROM OLD.owner_id OR NEW.account_id IS DISTINCT FROM OLD.account_id THEN
    RAISE EXCEPTION 'a credential''s owner is set when it is created and can never be changed'
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER credentials_pin_owner BEFORE UPDATE ON credentials
  FOR EACH ROW EXECUTE FUNCTION credentials_pin_owner();
