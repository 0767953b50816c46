/**
 * One pass of the event-stream worker in a process of its own, for tests that
 * kill it mid-delivery (`kill -9`): `node --import tsx lib/test-support/deliver-events-once.ts`
 * with DATABASE_URL (and BOTDESK_DESTINATION_ALLOW) in the environment.
 */
import { deliverDueEvents } from "../domain/event-streams/deliver-events";

const delivered = await deliverDueEvents();
console.log(`delivered ${delivered}`);
process.exit(0);
