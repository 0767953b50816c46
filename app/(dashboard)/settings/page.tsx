import type { Metadata } from "next";
import Link from "next/link";
import { requireActor } from "@/lib/auth/actor";
import { listOwnedCredentials } from "@/lib/domain/credentials/list-credentials";
import { canManage } from "@/lib/domain/permissions";
import { CredentialsPanel } from "@/components/credentials/credentials-panel";
import { Card } from "@/components/ui/card";
import { credentialActions } from "@/app/(dashboard)/credentials/credential-actions";
import { ChangePasswordForm } from "./change-password-form";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const actor = await requireActor();
  const credentials = await listOwnedCredentials(actor, actor.principal.id);
  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Your settings</h1>
        <p className="text-sm text-slate-600">
          Signed in as {actor.principal.name} ({actor.principal.email}), {actor.role} of {actor.account.name}.
        </p>
      </div>
      <Card aria-labelledby="your-credentials-heading" className="min-w-0">
        <CredentialsPanel
          actions={credentialActions}
          ownerId={actor.principal.id}
          ownerName={actor.principal.name}
          credentials={credentials}
          manage
          viewerIsOwner
          headingId="your-credentials-heading"
          title="Your credentials"
          intro={
            <>
              <p>Authtokens, API keys and SSH keys you own in {actor.account.name}. For an integration that should outlive you, give a bot its own.</p>
              {canManage(actor) && (
                <p className="mt-1">
                  <Link href="/credentials" className="font-medium text-indigo-700 hover:underline" data-testid="all-credentials-link">
                    See every credential of the account
                  </Link>
                </p>
              )}
            </>
          }
        />
      </Card>
      <Card aria-labelledby="password-heading">
        <h2 id="password-heading" className="mb-4 text-base font-semibold">
          Password
        </h2>
        <ChangePasswordForm />
      </Card>
    </div>
  );
}
