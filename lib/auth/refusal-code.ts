import { rateLimitedMessage, REFUSAL_MESSAGES } from "@/lib/domain/access/refusals";

/** The message for a refusal code carried by Auth.js (`reason` or `reason:retryAfterSeconds`, see SignInRefused in config.ts). */
export function messageForRefusalCode(code: string | null | undefined): string | null {
  if (!code) return null;
  const [reason, seconds] = code.split(":");
  if (reason === "rate_limited") return rateLimitedMessage(Number(seconds) || 60);
  if (reason && reason in REFUSAL_MESSAGES) return REFUSAL_MESSAGES[reason as keyof typeof REFUSAL_MESSAGES];
  return null;
}
