import type { Prisma } from "@/lib/db/generated/client";
import { readEnv } from "@/lib/env";

export type DestinationKind = "webhook" | "datadog";

/** What a destination's target holds without its secret (the secret is sealed in its own column). */
export type StoredTarget = { url: string } | { ddsite: string; ddtags: string; service: string };

/** An event destination as the API and the Settings page show it: never its secret. */
export interface DestinationView {
  id: string;
  kind: DestinationKind;
  target: StoredTarget;
  description: string;
  metadata: string;
  failingSince: Date | null;
  createdAt: Date;
}

export const destinationViewSelect = { id: true, kind: true, target: true, description: true, metadata: true, failingSince: true, createdAt: true } as const;

type Row = Prisma.EventDestinationGetPayload<{ select: typeof destinationViewSelect }>;

export function destinationView(row: Row): DestinationView {
  return { ...row, kind: row.kind as DestinationKind, target: row.target as StoredTarget };
}

/** Where a destination's messages are POSTed: the webhook's URL, or Datadog's logs intake for its site (BOTDESK_DATADOG_INTAKE_URL overrides the base). */
export function deliveryUrl(kind: DestinationKind, target: StoredTarget): URL {
  if (kind === "webhook") return new URL((target as { url: string }).url);
  const base = readEnv().BOTDESK_DATADOG_INTAKE_URL ?? `https://http-intake.logs.${(target as { ddsite: string }).ddsite}`;
  return new URL("/api/v2/logs", base);
}

export const EVENT_DESTINATION_NOT_FOUND = "Event destination not found";
export const EVENT_SUBSCRIPTION_NOT_FOUND = "Event subscription not found";
