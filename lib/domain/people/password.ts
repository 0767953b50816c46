import { availableParallelism } from "node:os";
import { hash, verify } from "@node-rs/argon2";
import { BUSY, WorkQueue } from "@/lib/work-queue";

// argon2id with OWASP's second recommended profile (19 MiB, 2 passes).
const OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/**
 * Every argon2 computation of this process takes a slot here. Half the cores
 * (at least one) may hash at once, so a flood of sign-in attempts, each ~30 ms
 * of CPU, leaves the other half to serve pages; sign-in attempts beyond
 * 32 waiting per slot are answered "busy" at once instead of queueing for seconds.
 */
const SLOTS = Math.max(1, Math.floor(availableParallelism() / 2));
export const passwordWork = new WorkQueue(SLOTS, SLOTS * 32);

export function hashPassword(password: string): Promise<string> {
  return passwordWork.run(() => hash(password, OPTIONS));
}

// A real hash of a random password: verifying against it costs what verifying a
// real person's hash costs, so an unknown email takes as long as a wrong password.
let dummyHash: Promise<string> | undefined;

async function verifyAgainst(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  if (!passwordHash) {
    dummyHash ??= hash(crypto.randomUUID(), OPTIONS);
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}

export function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  return passwordWork.run(() => verifyAgainst(passwordHash, password));
}

/** For sign-in: `busy` at once when too many attempts already wait for a slot. */
export function verifyPasswordOrBusy(passwordHash: string | null | undefined, password: string): Promise<boolean | typeof BUSY> {
  return passwordWork.tryRun(() => verifyAgainst(passwordHash, password));
}

export { BUSY };

export { oneTimePassword } from "./one-time-password";
