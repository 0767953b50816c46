import { db } from "@/lib/db/client";
import type { PrincipalKind, PrincipalStatus } from "@/lib/db/generated/enums";
import { recordEvent } from "@/lib/domain/events/record-event";
import { refuse, refuseBot } from "./refusals";
import type { Admission, RequestContext, SignInPath } from "./types";

export interface GatePrincipal {
  id: string;
  kind: PrincipalKind;
  status: PrincipalStatus;
  name: string;
  accountId: string | null;
}

export const gateSelect = { id: true, kind: true, status: true, name: true, accountId: true } as const;

/**
 * THE chokepoint: whether a principal may use the dashboard. Every sign-in path
 * (password form, external providers, a pasted credential) and every request
 * that presents a session goes through here. A bot is always refused, and each
 * refusal is recorded as one `login.refused` event attributed to that bot.
 */
export async function admitPrincipal(
  principal: GatePrincipal,
  path: SignInPath,
  ctx: RequestContext,
  opts: { overLimit?: boolean; record?: boolean } = {},
): Promise<Admission<GatePrincipal>> {
  if (principal.kind === "bot") {
    if (principal.accountId && opts.record !== false) {
      await recordEvent(db(), {
        accountId: principal.accountId,
        type: "login.refused",
        principalId: principal.id,
        source: "dashboard",
        subject: { id: principal.id, name: principal.name },
        ip: ctx.ip,
        userAgent: ctx.userAgent,
        data: { path, reason: "bot users cannot sign in", ...(opts.overLimit ? { overLimit: true } : {}) },
        // Someone tried to use the bot; the bot itself did nothing.
        activity: false,
      });
    }
    return refuseBot();
  }
  // Checked here, before any membership, so a person deactivated everywhere is told so.
  if (principal.status !== "active") return refuse("deactivated");
  return { ok: true, value: principal };
}
