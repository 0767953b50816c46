"use server";

import { revalidatePath } from "next/cache";
import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { createBot } from "@/lib/domain/bots/create-bot";
import { deleteBots } from "@/lib/domain/bots/delete-bots";
import { renameBot } from "@/lib/domain/bots/rename-bot";
import { updateBot } from "@/lib/domain/bots/update-bot";
import { setBotsActive } from "@/lib/domain/bots/set-bots-active";
import { stopTunnelSession } from "@/lib/domain/agent-sessions/stop-tunnel-session";
import { addPerson } from "@/lib/domain/people/add-person";
import { changeRole } from "@/lib/domain/people/change-role";
import { removePerson } from "@/lib/domain/people/remove-person";
import { resetPassword } from "@/lib/domain/people/reset-password";
import { setPersonActive } from "@/lib/domain/people/set-person-active";
import { resetTwoFactor } from "@/lib/domain/two-factor/reset-two-factor";
import { deactivationImpact, type DeactivationImpact } from "@/lib/domain/principals/deactivation-impact";
import type { Result } from "@/lib/domain/result";
import { formFields } from "@/lib/server/form-fields";
import { performAction } from "@/lib/server/perform-action";

// Thin: lib/server/perform-action.ts finds the actor and hides unexpected
// errors; the domain functions parse the input and authorize.

function revalidateUserPages() {
  revalidatePath("/users");
  revalidatePath("/users/bots/[id]", "page");
  revalidatePath("/");
}

function perform<T>(name: string, mutate: (actor: Actor, ctx: RequestContext) => Promise<Result<T>>): Promise<Result<T>> {
  return performAction(name, mutate, revalidateUserPages);
}


/** A form's state: what was typed (React resets the fields after an action) and the last result. */
export interface FormState<V, T> {
  values: V;
  result: Result<T> | null;
}

export type BotFormState = FormState<{ name: string }, { id: string; name: string }>;

export async function createBotAction(_prev: BotFormState, formData: FormData): Promise<BotFormState> {
  const values = { name: formFields(formData)("name") };
  return { values, result: await perform("createBot", (actor, ctx) => createBot(actor, values, ctx)) };
}

export async function renameBotAction(_prev: BotFormState, formData: FormData): Promise<BotFormState> {
  const field = formFields(formData);
  const values = { name: field("name") };
  const id = field("id");
  return { values, result: await perform("renameBot", (actor, ctx) => renameBot(actor, { id, name: values.name }, ctx)) };
}

export type BotDetailsFormState = FormState<{ description: string; contact: string }, { id: string }>;

/** The bot page's "Edit details": its description and contact (updateBot, with the API's PATCH rules and event). */
export async function updateBotDetailsAction(_prev: BotDetailsFormState, formData: FormData): Promise<BotDetailsFormState> {
  const field = formFields(formData);
  const values = { description: field("description"), contact: field("contact") };
  const id = field("id");
  return { values, result: await perform("updateBotDetails", (actor, ctx) => updateBot(actor, { id, ...values }, ctx)) };
}

export async function setBotsActiveAction(input: { ids: string[]; active: boolean }): Promise<Result<{ count: number; changed: number }>> {
  return perform("setBotsActive", (actor, ctx) => setBotsActive(actor, input, ctx));
}

/** What deactivating these bots or people stops (read only): their working credentials and live agent sessions. */
export async function deactivationImpactAction(input: { ids: string[] }): Promise<Result<DeactivationImpact>> {
  return performAction("deactivationImpact", (actor) => deactivationImpact(actor, input), () => {});
}

export async function deleteBotsAction(input: { ids: string[] }): Promise<Result<{ count: number; credentialsDeleted: number; credentialsRevoked: number }>> {
  return perform("deleteBots", (actor, ctx) => deleteBots(actor, input, ctx));
}

export type AddPersonFormState = FormState<
  { email: string; name: string; role: string },
  { id: string; email: string; initialPassword: string | null }
>;

export async function addPersonAction(_prev: AddPersonFormState, formData: FormData): Promise<AddPersonFormState> {
  const field = formFields(formData);
  const values = { email: field("email"), name: field("name"), role: field("role") };
  return { values, result: await perform("addPerson", (actor, ctx) => addPerson(actor, values, ctx)) };
}

export async function changeRoleAction(input: { personId: string; role: string }): Promise<Result<undefined>> {
  return perform("changeRole", (actor, ctx) => changeRole(actor, input, ctx));
}

export async function setPersonActiveAction(input: { personId: string; active: boolean }): Promise<Result<undefined>> {
  return perform("setPersonActive", (actor, ctx) => setPersonActive(actor, input, ctx));
}

export async function removePersonAction(input: { personId: string }): Promise<Result<undefined>> {
  return perform("removePerson", (actor, ctx) => removePerson(actor, input, ctx));
}

/** Returns the one-time password once; the dialog shows it until "I've stored it". */
export async function resetPasswordAction(input: { personId: string }): Promise<Result<{ id: string; name: string; email: string; oneTimePassword: string }>> {
  return perform("resetPassword", (actor, ctx) => resetPassword(actor, input, ctx));
}

/** Clears a person's second factor (they lost it); every session of theirs ends. */
export async function resetTwoFactorAction(input: { personId: string }): Promise<Result<{ id: string; name: string }>> {
  return perform("resetTwoFactor", (actor, ctx) => resetTwoFactor(actor, input, ctx));
}

/** The Stop button on a bot's Sessions panel: the session ends at once, wherever it is held (lib/tunnels/control). */
export async function stopTunnelSessionAction(input: { id: string }): Promise<Result<{ id: string; stopped: boolean }>> {
  return perform("stopTunnelSession", (actor, ctx) => stopTunnelSession(actor, input, ctx));
}
