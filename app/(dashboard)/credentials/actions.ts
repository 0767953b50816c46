"use server";

import { revalidatePath } from "next/cache";
import { EMPTY_CREDENTIAL_VALUES, type CreateCredentialState, type CredentialFormValues, type RotatedCredential } from "@/components/credentials/form-state";
import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { createCredential } from "@/lib/domain/credentials/create-credential";
import { revokeCredentials } from "@/lib/domain/credentials/revoke-credentials";
import { rotateCredential } from "@/lib/domain/credentials/rotate-credential";
import type { Result } from "@/lib/domain/result";
import { formFields } from "@/lib/server/form-fields";
import { performAction } from "@/lib/server/perform-action";

// Thin: lib/server/perform-action.ts finds the actor and hides unexpected
// errors; the domain functions parse the input and authorize (a member's
// forged owner id is refused there). The credential components get these as
// props (`credentialActions`), from the pages that render them: components
// never import from app/.

function revalidateCredentialPages(ownerIds: string[]) {
  revalidatePath("/credentials");
  revalidatePath("/settings");
  revalidatePath("/users");
  for (const id of new Set(ownerIds)) revalidatePath(`/users/bots/${id}`);
}

function perform<T>(
  name: string,
  mutate: (actor: Actor, ctx: RequestContext) => Promise<Result<T>>,
  owners: (data: T) => string[],
): Promise<Result<T>> {
  return performAction(name, mutate, (data) => revalidateCredentialPages(owners(data)));
}


/**
 * Creates a credential from the create form. The owner comes from the form
 * (the panel's owner, or the owner picked on /credentials); createCredential
 * refuses a member's credential for anyone but themselves.
 */
export async function createCredentialAction(_prev: CreateCredentialState, formData: FormData): Promise<CreateCredentialState> {
  const values: CredentialFormValues = { ...EMPTY_CREDENTIAL_VALUES };
  const field = formFields(formData);
  for (const key of Object.keys(values) as (keyof CredentialFormValues)[]) values[key] = field(key);
  const kind = values.kind;
  const input = {
    kind,
    ownerId: values.ownerId || undefined,
    description: values.description,
    metadata: values.metadata,
    ...(kind === "authtoken" || kind === "ssh_key" ? { acl: values.acl } : {}),
    ...(kind === "ssh_key" ? { publicKey: values.publicKey } : {}),
    expiry: values.expiry || "never",
    ...(values.expiry === "date" ? { expiresOn: values.expiresOn } : {}),
  };
  const result = await perform("createCredential", (actor, ctx) => createCredential(actor, input, ctx), (d) => [d.credential.owner.id]);
  // A pasted private key is never sent back to the browser, not even to refill the field.
  const looksPrivate = /PRIVATE KEY/.test(values.publicKey);
  return { values: result.ok ? EMPTY_CREDENTIAL_VALUES : { ...values, publicKey: looksPrivate ? "" : values.publicKey }, result };
}

export async function rotateCredentialAction(input: { id: string; grace: string }): Promise<Result<RotatedCredential>> {
  return perform("rotateCredential", (actor, ctx) => rotateCredential(actor, input, ctx), (d) => [d.credential.owner.id]);
}

export async function revokeCredentialsAction(input: { ids: string[] }): Promise<Result<{ count: number; ownerIds: string[] }>> {
  return perform("revokeCredentials", (actor, ctx) => revokeCredentials(actor, input, ctx), (d) => d.ownerIds);
}
