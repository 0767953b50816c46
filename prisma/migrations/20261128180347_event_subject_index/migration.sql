-- CreateIndex
CREATE INDEX "events_subject_id_created_at_idx" ON "events"("subject_id", "created_at");
