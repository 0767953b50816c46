import type { Metadata } from "next";
import Link from "next/link";
import { requireActor } from "@/lib/auth/actor";
import { listReservedDomainsPage } from "@/lib/domain/domains/read-reserved-domains";
import { canManage } from "@/lib/domain/permissions";
import { env } from "@/lib/env";
import { listDomainsQuerySchema } from "@/lib/validation/domains";
import { Card } from "@/components/ui/card";
import { DomainsSection, ReserveDomainForm } from "./domains-section";

export const metadata: Metadata = { title: "Domains" };

export default async function DomainsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requireActor();
  const params = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const query = listDomainsQuerySchema.parse({ page: first(params.dpage), size: first(params.dsize) });
  const page = await listReservedDomainsPage(actor, query);
  const manage = canManage(actor);
  const tunnel = env.BOTDESK_TUNNEL_DOMAIN;
  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <p className="text-sm">
          <Link href="/settings" className="font-medium text-indigo-700 hover:underline">
            Settings
          </Link>
        </p>
        <h1 className="text-2xl font-semibold tracking-tight">Domains</h1>
        <p className="max-w-3xl text-sm text-slate-600">
          Agents of this account bind only hostnames it reserved here: an exact name such as <code>app.example.com</code>, or a wildcard such as{" "}
          <code>*.example.com</code> for every name under it. No other account can use them. An agent that asks for no hostname gets a random one
          under <code className="[overflow-wrap:anywhere]">{tunnel}</code>, with no reservation needed.
        </p>
        {!manage && (
          <p className="text-sm text-slate-600" data-testid="domains-read-only-note">
            You can see the account&apos;s domains to know what your agents may bind. Only owners and admins can reserve or delete them.
          </p>
        )}
      </div>
      {manage && (
        <Card aria-labelledby="reserve-domain-heading">
          <h2 id="reserve-domain-heading" className="mb-4 text-base font-semibold">
            Reserve a domain
          </h2>
          <ReserveDomainForm tunnelDomain={tunnel} />
        </Card>
      )}
      <Card aria-labelledby="domains-heading" className="min-w-0">
        <DomainsSection page={page} manage={manage} />
      </Card>
    </div>
  );
}
