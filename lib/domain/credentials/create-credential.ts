import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { Prisma } from "@/lib/db/generated/client";
import { recordActorEvent } from "@/lib/domain/events/record-event";
import { canManage, mayIssueCredentialFor, NOT_OWNER_CREDENTIALS } from "@/lib/domain/permissions";
import { fail, fieldErrorsOf, ok, type Result } from "@/lib/domain/result";
import { newId } from "@/lib/ids";
import { createCredentialSchema } from "@/lib/validation/credentials";
import { credentialSubjectName, credentialViewSelect, toCredentialView, type CredentialView } from "./credential-view";
import { lockCredentialOwner } from "./lock-owner";
import { parseSshPublicKey } from "./ssh-key";
import { issueSecret } from "./token-format";
import { actorTransaction } from "@/lib/domain/access/actor-transaction";

export const NOT_ADMIN_CREDENTIALS = "You must be an admin to create a credential owned by someone else";

const ownerNotFound = () => fail("not_found", "Owner not found", { ownerId: "Choose a person or bot of this account" });

/**
 * THE rule of who may own what a caller creates: anyone creates credentials
 * for themselves; only owners and admins for someone else (a bot, a person).
 * Takes the owner id as given (unvalidated input), so the API and the
 * dashboard refuse before validating anything.
 */
export function foreignOwnerRefusal(actor: Actor, ownerId: unknown): Result<never> | null {
  if (typeof ownerId === "string" && ownerId !== "" && ownerId !== actor.principal.id && !canManage(actor)) return fail("not_admin", NOT_ADMIN_CREDENTIALS);
  return null;
}

/**
 * Creates a credential owned by `ownerId` (default: the actor) for life.
 * Who may create one for whom is mayIssueCredentialFor: anyone for themselves
 * (while active in the account); owners and admins for bots; an owner for any
 * person, an admin for members only (never for an admin or an owner: the new
 * secret would act as them). Records `credential.created` naming both: the
 * creator as its principal, the owner in its data. Authtokens and API keys get a fresh
 * secret returned ONCE here and stored only as a hash; SSH keys are parsed,
 * checked and fingerprinted. The owner's row is locked first (see
 * lockCredentialOwner), so a bot deleted at the same moment never ends up
 * owning a live credential. Records `credential.created` in the same transaction.
 */
export async function createCredential(
  actor: Actor,
  input: unknown,
  ctx: RequestContext,
): Promise<Result<{ credential: CredentialView; token: string | null }>> {
  // Who may create for whom is decided before anything is validated: a refused caller learns nothing about validation.
  const refused = foreignOwnerRefusal(actor, (input as { ownerId?: unknown } | null)?.ownerId);
  if (refused) return refused;
  const parsed = createCredentialSchema.safeParse(input);
  if (!parsed.success) {
    // Name the public key's problem too (a pasted private key, say), so one submit shows everything to fix.
    const raw = input as { kind?: unknown; publicKey?: unknown } | null;
    const key = raw?.kind === "ssh_key" && typeof raw.publicKey === "string" && raw.publicKey.trim() ? parseSshPublicKey(raw.publicKey) : null;
    const keyError: Record<string, string> = key && !key.ok ? { publicKey: key.message } : {};
    return fail("invalid_input", "Check the highlighted fields.", { ...keyError, ...fieldErrorsOf(parsed.error) });
  }
  const data = parsed.data;
  const ownerId = data.ownerId || actor.principal.id;
  const refusedOwner = foreignOwnerRefusal(actor, ownerId);
  if (refusedOwner) return refusedOwner;

  const id = newId(data.kind === "authtoken" ? "authtoken" : data.kind === "api_key" ? "apiKey" : "sshCredential");
  let secret: { token: string; hash: string; hint: string } | null = null;
  let ssh: { publicKey: string; fingerprint: string } | null = null;
  if (data.kind === "ssh_key") {
    const key = parseSshPublicKey(data.publicKey);
    if (!key.ok) return fail("invalid_input", key.message, { publicKey: key.message });
    ssh = { publicKey: key.normalized, fingerprint: key.fingerprint };
  } else {
    secret = issueSecret(data.kind, id);
  }

  try {
    return await actorTransaction(actor, async (tx) => {
      const owner = await lockCredentialOwner(tx, actor.account.id, ownerId);
      if (!owner) return ownerNotFound();
      // Read with the owner's row locked: a role changed meanwhile is the one judged.
      if (!mayIssueCredentialFor(actor, owner)) return fail("not_owner", NOT_OWNER_CREDENTIALS, { ownerId: NOT_OWNER_CREDENTIALS });
      const row = await tx.credential.create({
        data: {
          id,
          accountId: actor.account.id,
          kind: data.kind,
          ownerId: owner.id,
          description: data.description,
          metadata: data.metadata,
          acl: "acl" in data ? data.acl : [],
          secretHash: secret?.hash ?? null,
          secretHint: secret?.hint ?? null,
          publicKey: ssh?.publicKey ?? null,
          fingerprint: ssh?.fingerprint ?? null,
          expiresAt: data.expiresAt,
          createdById: actor.principal.id,
        },
        select: credentialViewSelect,
      });
      const view = toCredentialView(row);
      await recordActorEvent(tx, actor, ctx, {
        type: "credential.created",
        subject: { id, name: credentialSubjectName(view) },
        botId: owner.kind === "bot" ? owner.id : null,
        data: {
          kind: data.kind,
          owner: { id: owner.id, name: owner.name, kind: owner.kind },
          expiresAt: data.expiresAt?.toISOString() ?? null,
          after: { description: view.description, metadata: view.metadata, acl: view.acl, expiresAt: data.expiresAt?.toISOString() ?? null },
        },
      });
      return ok({ credential: view, token: secret?.token ?? null });
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      return fail("duplicate_key", "This SSH key is already registered in this account.", {
        publicKey: "This SSH key is already registered in this account",
      });
    }
    throw error;
  }
}
