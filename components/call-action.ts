import type { Result } from "@/lib/domain/result";

export const UNREACHABLE_MESSAGE = "Botdesk could not be reached, so nothing was changed. Check your connection and try again.";

/**
 * Calls a server action from the browser and always returns a Result: a failed
 * request (offline, server restarting) becomes a message instead of an error
 * that would replace the page with the error screen.
 */
export async function callAction<T>(call: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    const result = await call();
    // A redirecting action (an expired session) resolves without a result while the router navigates.
    return result ?? { ok: false, code: "no_result", message: UNREACHABLE_MESSAGE };
  } catch (error) {
    console.error(error);
    return { ok: false, code: "unreachable", message: UNREACHABLE_MESSAGE };
  }
}
