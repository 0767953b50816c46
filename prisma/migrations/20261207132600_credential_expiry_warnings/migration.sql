-- AlterTable
ALTER TABLE "credentials" ADD COLUMN     "expiry_warned_days" INTEGER;
