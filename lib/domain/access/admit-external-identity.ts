import { db } from "@/lib/db/client";
import { admitPrincipal, gateSelect, type GatePrincipal } from "./admit-principal";
import { hasActiveMembership } from "./has-active-membership";
import { refuse } from "./refusals";
import type { Admission, RequestContext } from "./types";

/**
 * Sign-in through an external provider (OIDC, GitHub). The identity must already
 * be linked to a principal, or carry an email the provider has verified that
 * belongs to an existing person (it is then linked). Botdesk never creates
 * people on first sign-in: admins add them.
 */
export async function admitExternalIdentity(
  input: { provider: "oidc" | "github"; subject: string; email?: string | null; emailVerified: boolean },
  ctx: RequestContext,
): Promise<Admission<{ id: string }>> {
  const linked = await db().externalIdentity.findUnique({
    where: { provider_subject: { provider: input.provider, subject: input.subject } },
    select: { principal: { select: gateSelect } },
  });
  let principal: GatePrincipal | null = linked?.principal ?? null;
  if (!principal && input.email && input.emailVerified) {
    principal = await db().principal.findFirst({
      where: { kind: "person", email: input.email.trim().toLowerCase() },
      select: gateSelect,
    });
    if (principal) {
      await db().externalIdentity.create({
        data: { provider: input.provider, subject: input.subject, principalId: principal.id },
      });
    }
  }
  if (!principal) return refuse("no_account");
  const admitted = await admitPrincipal(principal, input.provider, ctx);
  if (!admitted.ok) return admitted;
  if (!(await hasActiveMembership(principal.id))) return refuse("no_account");
  // Signing in is activity too: "last active" is never older than "last sign-in".
  const now = new Date();
  await db().principal.update({ where: { id: principal.id }, data: { lastSignInAt: now, lastActivityAt: now } });
  return { ok: true, value: { id: principal.id } };
}
