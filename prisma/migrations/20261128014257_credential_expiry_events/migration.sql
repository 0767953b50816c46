-- AlterTable
ALTER TABLE "credentials" ADD COLUMN     "expiry_recorded_at" TIMESTAMPTZ(3);
