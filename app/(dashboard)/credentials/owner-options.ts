import { listBots } from "@/lib/domain/bots/list-bots";
import { listPeople } from "@/lib/domain/people/list-people";
import { listBotsQuerySchema } from "@/lib/validation/bots";
import { listPeopleQuerySchema } from "@/lib/validation/people-admin";
import type { OwnerOption } from "@/components/credentials/create-credential-dialog";

/**
 * Who an admin can create a credential for on /credentials: the account's
 * bots and active people, by name (the first 100 of each: the lists' page limit).
 */
export async function listOwnerOptions(accountId: string): Promise<OwnerOption[]> {
  const [bots, people] = await Promise.all([
    listBots(accountId, listBotsQuerySchema.parse({ sort: "name", dir: "asc", size: 100 })),
    listPeople(accountId, listPeopleQuerySchema.parse({ status: "active", sort: "name", dir: "asc", size: 100 })),
  ]);
  return [
    ...bots.rows.map((b) => ({ id: b.id, name: b.active ? b.name : `${b.name} (deactivated)`, kind: "bot" as const })),
    ...people.rows.map((p) => ({ id: p.id, name: `${p.name} (${p.email})`, kind: "person" as const })),
  ];
}
