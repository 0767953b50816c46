-- Bot names are unique per account under their UTS #39 confusable skeletons too (as typed and
-- lower-cased: lib/validation/name-keys.ts), so no bot is named like another with look-alike or
-- invisible characters. SQL cannot compute a skeleton: existing bots get theirs when an instance
-- starts (lib/domain/bots/look-alike-names.ts), which keeps names that collide under the new rule
-- as they are (their skeleton stays NULL) and lists them, with names containing an @, in the log.

-- AlterTable
ALTER TABLE "principals" ADD COLUMN     "name_skeleton" TEXT,
ADD COLUMN     "name_skeleton_lower" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "principals_account_id_name_skeleton_key" ON "principals"("account_id", "name_skeleton");

-- CreateIndex
CREATE UNIQUE INDEX "principals_account_id_name_skeleton_lower_key" ON "principals"("account_id", "name_skeleton_lower");

-- People never have one, as with name_key.
ALTER TABLE "principals" ADD CONSTRAINT "principals_person_name_skeleton_check"
    CHECK ("kind" <> 'person' OR ("name_skeleton" IS NULL AND "name_skeleton_lower" IS NULL));
