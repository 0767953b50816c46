-- CreateEnum
CREATE TYPE "PrincipalKind" AS ENUM ('person', 'bot');

-- CreateEnum
CREATE TYPE "PrincipalStatus" AS ENUM ('active', 'deactivated');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('owner', 'admin', 'member');

-- CreateTable
CREATE TABLE "accounts" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "plan" TEXT NOT NULL DEFAULT 'team',
    "seat_limit" INTEGER NOT NULL,
    "quotas" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "principals" (
    "id" TEXT NOT NULL,
    "kind" "PrincipalKind" NOT NULL,
    "name" TEXT NOT NULL,
    "name_key" TEXT,
    "email" TEXT,
    "password_hash" TEXT,
    "status" "PrincipalStatus" NOT NULL DEFAULT 'active',
    "account_id" TEXT,
    "created_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),
    "last_sign_in_at" TIMESTAMPTZ(3),

    CONSTRAINT "principals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "memberships" (
    "account_id" TEXT NOT NULL,
    "principal_id" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "status" "PrincipalStatus" NOT NULL DEFAULT 'active',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("account_id","principal_id")
);

-- CreateTable
CREATE TABLE "external_identities" (
    "provider" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "principal_id" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "external_identities_pkey" PRIMARY KEY ("provider","subject")
);

-- CreateTable
CREATE TABLE "events" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "principal_id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "subject_id" TEXT,
    "subject_name" TEXT,
    "ip" TEXT,
    "user_agent" TEXT,
    "data" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "rate_limits" (
    "key" TEXT NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "rate_limits_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "settings" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,

    CONSTRAINT "settings_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE UNIQUE INDEX "principals_email_key" ON "principals"("email");

-- CreateIndex
CREATE INDEX "principals_account_id_kind_created_at_idx" ON "principals"("account_id", "kind", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "principals_account_id_name_key_key" ON "principals"("account_id", "name_key");

-- CreateIndex
CREATE INDEX "memberships_principal_id_idx" ON "memberships"("principal_id");

-- CreateIndex
CREATE INDEX "external_identities_principal_id_idx" ON "external_identities"("principal_id");

-- CreateIndex
CREATE INDEX "events_account_id_created_at_idx" ON "events"("account_id", "created_at");

-- CreateIndex
CREATE INDEX "events_principal_id_created_at_idx" ON "events"("principal_id", "created_at");

-- AddForeignKey
ALTER TABLE "principals" ADD CONSTRAINT "principals_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "principals" ADD CONSTRAINT "principals_created_by_id_fkey" FOREIGN KEY ("created_by_id") REFERENCES "principals"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_principal_id_fkey" FOREIGN KEY ("principal_id") REFERENCES "principals"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "external_identities" ADD CONSTRAINT "external_identities_principal_id_fkey" FOREIGN KEY ("principal_id") REFERENCES "principals"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_principal_id_fkey" FOREIGN KEY ("principal_id") REFERENCES "principals"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written from here on: rules prisma/schema.prisma cannot express. Prisma's
-- diff does not see CHECK constraints, functions or triggers, so they never show
-- as drift; keep them here (or in later hand-edited migrations).

-- A bot belongs to an account and never has an email or a password.
ALTER TABLE "principals" ADD CONSTRAINT "principals_bot_check"
    CHECK ("kind" <> 'bot' OR ("account_id" IS NOT NULL AND "email" IS NULL AND "password_hash" IS NULL));

-- A person has an email and no account of its own (people join accounts through memberships).
ALTER TABLE "principals" ADD CONSTRAINT "principals_person_check"
    CHECK ("kind" <> 'person' OR ("account_id" IS NULL AND "email" IS NOT NULL));

-- name_key makes live bot names unique per account; people never have one.
ALTER TABLE "principals" ADD CONSTRAINT "principals_person_name_key_check"
    CHECK ("kind" <> 'person' OR "name_key" IS NULL);

-- A bot belongs to one account for life, and no principal ever changes kind.
CREATE FUNCTION "principals_pin_kind_and_account"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW."kind" IS DISTINCT FROM OLD."kind" THEN
        RAISE EXCEPTION 'a principal never changes kind (principal %: % -> %)', OLD."id", OLD."kind", NEW."kind"
            USING ERRCODE = 'check_violation';
    END IF;
    IF OLD."kind" = 'bot' AND NEW."account_id" IS DISTINCT FROM OLD."account_id" THEN
        RAISE EXCEPTION 'a bot belongs to one account for life (bot %)', OLD."id"
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER "principals_pin_kind_and_account"
    BEFORE UPDATE OF "kind", "account_id" ON "principals"
    FOR EACH ROW EXECUTE FUNCTION "principals_pin_kind_and_account"();
