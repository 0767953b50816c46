import type { Prisma } from "@/lib/db/generated/client";

/** An event subscription as the API and the Settings page show it. */
export interface SubscriptionView {
  id: string;
  description: string;
  metadata: string;
  /** Stream event types (stream-types.ts). */
  sources: string[];
  destinationIds: string[];
  createdAt: Date;
}

export const subscriptionViewSelect = {
  id: true,
  description: true,
  metadata: true,
  sources: true,
  createdAt: true,
  destinations: { select: { destinationId: true }, orderBy: { destinationId: "asc" } },
} as const;

type Row = Prisma.EventSubscriptionGetPayload<{ select: typeof subscriptionViewSelect }>;

export function subscriptionView({ destinations, ...row }: Row): SubscriptionView {
  return { ...row, destinationIds: destinations.map((d) => d.destinationId) };
}
