import type { Actor } from "@/lib/domain/access/types";
import { listBots } from "@/lib/domain/bots/list-bots";
import { mayIssueCredentialFor } from "@/lib/domain/permissions";
import { listPeople } from "@/lib/domain/people/list-people";
import { listBotsQuerySchema } from "@/lib/validation/bots";
import { listPeopleQuerySchema } from "@/lib/validation/people-admin";
import type { OwnerOption } from "@/components/credentials/create-credential-dialog";

/**
 * Who the actor can create a credential for on /credentials: the account's
 * bots and the active people the one rule lets them (mayIssueCredentialFor:
 * an admin is not offered admins and owners), by name (the first 100 of each:
 * the lists' page limit). createCredential decides again on the server.
 */
export async function listOwnerOptions(actor: Actor): Promise<OwnerOption[]> {
  const accountId = actor.account.id;
  const [bots, people] = await Promise.all([
    listBots(accountId, listBotsQuerySchema.parse({ sort: "name", dir: "asc", size: 100 })),
    listPeople(accountId, listPeopleQuerySchema.parse({ status: "active", sort: "name", dir: "asc", size: 100 })),
  ]);
  return [
    ...bots.rows.map((b) => ({ id: b.id, name: b.active ? b.name : `${b.name} (deactivated)`, kind: "bot" as const })),
    ...people.rows
      .filter((p) => mayIssueCredentialFor(actor, { id: p.id, kind: "person", role: p.role }))
      .map((p) => ({ id: p.id, name: `${p.name} (${p.email})`, kind: "person" as const })),
  ];
}
