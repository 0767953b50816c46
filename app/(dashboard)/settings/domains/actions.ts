"use server";

import { revalidatePath } from "next/cache";
import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { deleteReservedDomain } from "@/lib/domain/domains/delete-reserved-domain";
import { reserveDomain } from "@/lib/domain/domains/reserve-domain";
import type { ReservedDomainView } from "@/lib/domain/domains/reserved-domain-view";
import type { Result } from "@/lib/domain/result";
import { formFields } from "@/lib/server/form-fields";
import { performAction } from "@/lib/server/perform-action";

// Thin: performAction finds the actor and hides unexpected errors; the domain
// functions parse the input and decide who may do what (owners and admins).

function perform<T>(name: string, mutate: (actor: Actor, ctx: RequestContext) => Promise<Result<T>>): Promise<Result<T>> {
  return performAction(name, mutate, () => {
    revalidatePath("/settings/domains");
    revalidatePath("/settings");
  });
}

export interface ReserveDomainFormState {
  /** What was typed, so a refused name stays in its field (React resets fields after an action). */
  values: { domain: string; description: string };
  result: Result<ReservedDomainView> | null;
}

export async function reserveDomainAction(_prev: ReserveDomainFormState, formData: FormData): Promise<ReserveDomainFormState> {
  const field = formFields(formData);
  const values = { domain: field("domain"), description: field("description") };
  const result = await perform("reserveDomain", (actor, ctx) => reserveDomain(actor, values, ctx));
  return { values: result.ok ? { domain: "", description: "" } : values, result };
}

export async function deleteReservedDomainAction(input: { id: string }): Promise<Result<{ id: string; domain: string }>> {
  return perform("deleteReservedDomain", (actor, ctx) => deleteReservedDomain(actor, input, ctx));
}
