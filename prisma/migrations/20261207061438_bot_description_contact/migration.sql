-- AlterTable
ALTER TABLE "principals" ADD COLUMN     "contact" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "description" TEXT NOT NULL DEFAULT '';
