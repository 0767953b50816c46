-- AlterTable
ALTER TABLE "principals" ADD COLUMN     "must_change_password" BOOLEAN NOT NULL DEFAULT false;

-- A bot has no password, so it is never asked to change one.
ALTER TABLE "principals" ADD CONSTRAINT "principals_must_change_password_person" CHECK (NOT "must_change_password" OR "kind" = 'person');
