import { BOT_REFUSAL_MESSAGE, type Admission, type RefusalReason } from "./types";

/** What the person trying to get in reads, for each refusal. */
export const REFUSAL_MESSAGES: Record<Exclude<RefusalReason, "rate_limited" | "second_factor">, string> = {
  bot: BOT_REFUSAL_MESSAGE,
  invalid: "Wrong email or password.",
  invalid_email: "Enter a valid email",
  deactivated: "Your user has been deactivated. Ask an account admin to reactivate you.",
  no_account: "You are not a member of any active account. Ask an account admin to add you.",
  ended: "Your session has ended. Sign in again.",
  unavailable: "Botdesk cannot reach its database right now, so nobody can sign in. Try again in a moment.",
  wrong_code: "That code is not right (or was already used). Enter the current code from your app, or a recovery code.",
  sign_in_expired: "Your sign-in took too long or was already completed. Sign in again.",
};

export const SECOND_FACTOR_MESSAGE = "Enter the code from your authenticator app.";

export function rateLimitedMessage(retryAfterSeconds: number): string {
  return `Too many sign-in attempts. Try again in ${retryAfterSeconds} s.`;
}

export const refuse = (reason: Exclude<RefusalReason, "rate_limited" | "bot" | "second_factor">): Admission<never> => ({
  ok: false,
  refusal: { reason, message: REFUSAL_MESSAGES[reason] },
});

export const refuseBot = (): Admission<never> => ({ ok: false, refusal: { reason: "bot", message: BOT_REFUSAL_MESSAGE } });

export const rateLimited = (retryAfterSeconds: number): Admission<never> => ({
  ok: false,
  refusal: { reason: "rate_limited", retryAfterSeconds, message: rateLimitedMessage(retryAfterSeconds) },
});

/** Not admitted yet: the password was right and the second factor is asked next (see startPendingSignIn). */
export const secondFactorRequired = (pending: string): Admission<never> => ({
  ok: false,
  refusal: { reason: "second_factor", pending, message: SECOND_FACTOR_MESSAGE },
});
