"use server";

import { revalidatePath } from "next/cache";
import type { Actor, RequestContext } from "@/lib/domain/access/types";
import { createDestination } from "@/lib/domain/event-streams/create-destination";
import { deleteDestination } from "@/lib/domain/event-streams/delete-destination";
import type { DestinationView } from "@/lib/domain/event-streams/destination-view";
import { createSubscription, deleteSubscription } from "@/lib/domain/event-streams/save-subscription";
import { redeliver } from "@/lib/domain/event-streams/redeliver";
import { sendTestEvent } from "@/lib/domain/event-streams/send-test-event";
import type { SubscriptionView } from "@/lib/domain/event-streams/subscription-view";
import type { Result } from "@/lib/domain/result";
import { formFields } from "@/lib/server/form-fields";
import { performAction } from "@/lib/server/perform-action";

// Thin: performAction finds the actor and hides unexpected errors; the domain
// functions parse the input and decide who may do what (owners and admins),
// exactly as for the API's /event_destinations and /event_subscriptions.

function perform<T>(name: string, mutate: (actor: Actor, ctx: RequestContext) => Promise<Result<T>>): Promise<Result<T>> {
  return performAction(name, mutate, () => revalidatePath("/settings/event-streams"));
}

export interface DestinationFormState {
  /** What was typed (never the Datadog API key), so a refused form keeps it. */
  values: { kind: string; url: string; description: string; ddsite: string; ddtags: string; service: string };
  /** The webhook's signing secret is in a successful result only, shown once. */
  result: Result<{ destination: DestinationView; secret: string | null }> | null;
}

export async function createDestinationAction(_prev: DestinationFormState, formData: FormData): Promise<DestinationFormState> {
  const field = formFields(formData);
  const values = { kind: field("kind"), url: field("url"), description: field("description"), ddsite: field("ddsite"), ddtags: field("ddtags"), service: field("service") };
  const target =
    values.kind === "datadog"
      ? { datadog: { api_key: field("apiKey"), ddsite: values.ddsite || undefined, ddtags: values.ddtags, service: values.service } }
      : { webhook: { url: values.url } };
  const result = await perform("createEventDestination", (actor, ctx) => createDestination(actor, { description: values.description, format: "json", target }, ctx));
  return { values: result.ok ? { kind: values.kind, url: "", description: "", ddsite: values.ddsite, ddtags: "", service: "" } : values, result };
}

export async function deleteDestinationAction(input: { id: string }): Promise<Result<{ id: string }>> {
  return perform("deleteEventDestination", (actor, ctx) => deleteDestination(actor, input, ctx));
}

export async function sendTestEventAction(input: { id: string }): Promise<Result<{ eventId: string }>> {
  return perform("sendTestEvent", (actor, ctx) => sendTestEvent(actor, input, ctx));
}

/** One message again (`eventId`), or every message of the destination from a time on (`since`, ISO). */
export async function redeliverAction(input: { id: string; eventId?: string; since?: string }): Promise<Result<{ count: number }>> {
  return perform("redeliverEvents", (actor, ctx) => redeliver(actor, input, ctx));
}

export interface SubscriptionFormState {
  values: { destinationId: string; description: string; types: string[] };
  result: Result<SubscriptionView> | null;
}

export async function createSubscriptionAction(_prev: SubscriptionFormState, formData: FormData): Promise<SubscriptionFormState> {
  const field = formFields(formData);
  const types = formData instanceof FormData ? formData.getAll("types").filter((t): t is string => typeof t === "string") : [];
  const values = { destinationId: field("destinationId"), description: field("description"), types };
  const input = { description: values.description, sources: types.map((type) => ({ type })), destination_ids: values.destinationId ? [values.destinationId] : [] };
  const result = await perform("createEventSubscription", (actor, ctx) => createSubscription(actor, input, ctx));
  return { values: result.ok ? { destinationId: "", description: "", types: [] } : values, result };
}

export async function deleteSubscriptionAction(input: { id: string }): Promise<Result<{ id: string }>> {
  return perform("deleteEventSubscription", (actor, ctx) => deleteSubscription(actor, input, ctx));
}
