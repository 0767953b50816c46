-- AlterTable
ALTER TABLE "principals" ADD COLUMN     "session_version" INTEGER NOT NULL DEFAULT 0;
