-- AlterTable
-- Hand-written: every counter now keeps its own window, so one sweep deletes every ended one
-- (before, the sign-in and the API counters had two sweeps with one window each, and a sweep run
-- with the one-minute window of credential refusals deleted sign-in counters whose 15-minute window
-- was still running). Counters already there get an hour: they are at most that old, and they
-- start over with their caller's window on their next use.
ALTER TABLE "rate_limits" ADD COLUMN "window_seconds" INTEGER NOT NULL DEFAULT 3600;
ALTER TABLE "rate_limits" ALTER COLUMN "window_seconds" DROP DEFAULT;
