import type { Metadata } from "next";
import Link from "next/link";
import { requireActor } from "@/lib/auth/actor";
import { listCredentials } from "@/lib/domain/credentials/list-credentials";
import { listCredentialsQuerySchema } from "@/lib/validation/credentials";
import { Card } from "@/components/ui/card";
import { CredentialsTable } from "./credentials-table";
import { Name } from "@/components/name";
import { listOwnerOptions } from "@/lib/domain/credentials/list-owner-options";

export const metadata: Metadata = { title: "Credentials" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function CredentialsPage({ searchParams }: { searchParams: SearchParams }) {
  const actor = await requireActor();
  const params = await searchParams;
  const first = (key: string) => {
    const v = params[key];
    return Array.isArray(v) ? v[0] : v;
  };
  const query = listCredentialsQuerySchema.parse({
    owner: first("owner")?.trim(),
    kind: first("kind"),
    status: first("status"),
    used: first("used"),
    page: first("page"),
    size: first("size"),
  });
  // Who may see this list is decided by listCredentials (admins only), not here; the owner picker's
  // names are read alongside (none for a member).
  const [page, owners] = await Promise.all([listCredentials(actor, query), listOwnerOptions(actor)]);
  if (!page.ok) {
    return (
      <div className="flex flex-col gap-4">
        <h1 className="text-2xl font-semibold tracking-tight">Credentials</h1>
        <Card>
          <p className="text-sm text-slate-700" data-testid="credentials-admins-only">
            {page.message}
          </p>
          <p className="mt-2 text-sm">
            <Link href="/settings" className="font-medium text-indigo-700 hover:underline">
              Manage your own credentials in your settings
            </Link>
          </p>
        </Card>
      </div>
    );
  }

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Credentials</h1>
        <p className="text-sm text-slate-600">
          Every live authtoken, API key and SSH key of <Name name={actor.account.name} />, whoever owns it. Revoked credentials are gone from here.
        </p>
      </div>
      <Card aria-labelledby="all-credentials-heading" className="min-w-0">
        <CredentialsTable page={page.data} query={query} owners={owners} />
      </Card>
    </div>
  );
}
