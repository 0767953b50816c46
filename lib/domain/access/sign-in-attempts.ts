import { env } from "@/lib/env";
import { clearRateLimit, consumeRateLimit, refundRateLimit } from "./rate-limit";
import { rateLimited } from "./refusals";
import type { Admission } from "./types";

/**
 * THE sign-in limiter, for every step of a sign-in (the password, then the
 * second factor): one counter per email and one per IP, so a wrong code is a
 * failed attempt exactly like a wrong password, and both share one budget.
 */
const limitKeys = (login: string, ip: string | null) => ({
  email: `signin:email:${login}`,
  ip: ip ? `signin:ip:${ip}` : null,
});

/**
 * Counts this attempt against the email and the IP BEFORE anything is checked,
 * atomically (see consumeRateLimit): a parallel burst gets exactly the allowed
 * number of evaluations, on one instance or many sharing the database.
 */
export async function countSignInAttempt(login: string, ip: string | null): Promise<Admission<never> | null> {
  const window = env.BOTDESK_SIGNIN_WINDOW_SECONDS;
  const keys = limitKeys(login, ip);
  const byEmail = await consumeRateLimit(keys.email, env.BOTDESK_SIGNIN_MAX_PER_EMAIL, window);
  const byIp = keys.ip ? await consumeRateLimit(keys.ip, env.BOTDESK_SIGNIN_MAX_PER_IP, window) : null;
  const retry = Math.max(byEmail.limited ? byEmail.retryAfterSeconds : 0, byIp?.limited ? byIp.retryAfterSeconds : 0);
  return retry > 0 ? rateLimited(retry) : null;
}

/**
 * A completed sign-in is not a failed attempt: the email starts over and the IP
 * gets back the attempts this sign-in counted (`steps`: 2 with a second factor).
 * Only a COMPLETED sign-in: a right password still waiting for its code keeps
 * its count, or knowing the password would buy unlimited code guesses.
 */
export async function forgetSignInAttempts(login: string, ip: string | null, steps = 1): Promise<void> {
  const keys = limitKeys(login, ip);
  await clearRateLimit(keys.email);
  if (keys.ip) for (let i = 0; i < steps; i++) await refundRateLimit(keys.ip);
}
