import type { Metadata } from "next";
import Link from "next/link";
import { requireActor } from "@/lib/auth/actor";
import { listOwnedCredentials } from "@/lib/domain/credentials/list-credentials";
import { canManage } from "@/lib/domain/permissions";
import { CredentialsPanel } from "@/components/credentials/credentials-panel";
import { Card } from "@/components/ui/card";
import { Name } from "@/components/name";
import { credentialActions } from "@/app/(dashboard)/credentials/credential-actions";
import { ChangePasswordForm } from "./change-password-form";
import { getAccountSettings } from "@/lib/domain/accounts/update-account";
import { getSeatUsage } from "@/lib/domain/accounts/get-seat-usage";
import { AccountSettingsForm } from "@/components/account-settings-form";
import { updateAccountAction } from "./account-actions";
import { RetentionForm } from "@/components/activity/retention-form";
import { getEventRetention } from "@/lib/domain/events/set-event-retention";
import { setEventRetentionAction } from "@/app/(dashboard)/activity/actions";
import { countReservedDomains } from "@/lib/domain/domains/read-reserved-domains";
import { plural } from "@/components/format";
import { externalProviders } from "@/lib/auth/config";
import { getTwoFactorStatus } from "@/lib/domain/two-factor/two-factor-status";
import { getTwoFactorRequirement } from "@/lib/domain/two-factor/people-without-two-factor";
import { TwoFactorPanel } from "@/components/two-factor/two-factor-panel";
import { TwoFactorRequirementSetting } from "@/components/two-factor/requirement-setting";
import {
  beginTwoFactorEnrolmentAction,
  confirmTwoFactorEnrolmentAction,
  disableTwoFactorAction,
  regenerateRecoveryCodesAction,
  setTwoFactorRequirementAction,
} from "./two-factor-actions";

const twoFactorActions = {
  begin: beginTwoFactorEnrolmentAction,
  confirm: confirmTwoFactorEnrolmentAction,
  disable: disableTwoFactorAction,
  regenerate: regenerateRecoveryCodesAction,
};

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const actor = await requireActor();
  const owner = actor.role === "owner";
  const [credentials, domains, account, seats, retention, twoFactor, requirement] = await Promise.all([
    listOwnedCredentials(actor, actor.principal.id),
    countReservedDomains(actor),
    owner ? getAccountSettings(actor) : null,
    owner ? getSeatUsage(actor.account.id) : null,
    owner ? getEventRetention(actor) : null,
    getTwoFactorStatus(actor.principal.id),
    owner ? getTwoFactorRequirement(actor) : null,
  ]);
  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Your settings</h1>
        <p className="text-sm text-slate-600">
          Signed in as <Name name={actor.principal.name} /> (<bdi className="[overflow-wrap:anywhere]">{actor.principal.email}</bdi>), {actor.role} of <Name name={actor.account.name} />.
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
              <p>Authtokens, API keys and SSH keys you own in <Name name={actor.account.name} />. For an integration that should outlive you, give a bot its own.</p>
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
      <Card aria-labelledby="domains-heading" id="domains">
        <h2 id="domains-heading" className="text-base font-semibold">
          Domains
        </h2>
        <p className="text-sm text-slate-600" data-testid="settings-domains-summary">
          {domains === 0 ? "No domains reserved yet" : `${plural(domains, "domain", "domains")} reserved`}: agents of{" "}
          <Name name={actor.account.name} /> bind only hostnames the account reserved.{" "}
          <Link href="/settings/domains" className="font-medium text-indigo-700 hover:underline" data-testid="settings-domains-link">
            {canManage(actor) ? "Manage domains" : "See domains"}
          </Link>
        </p>
      </Card>
      {canManage(actor) && (
        <Card aria-labelledby="event-streams-heading" id="event-streams">
          <h2 id="event-streams-heading" className="text-base font-semibold">
            Event streams
          </h2>
          <p className="text-sm text-slate-600">
            Send the activity log as it happens to a webhook or Datadog.{" "}
            <Link href="/settings/event-streams" className="font-medium text-indigo-700 hover:underline" data-testid="settings-event-streams-link">
              Manage event streams
            </Link>
          </p>
        </Card>
      )}
      {account && seats && (
        <Card aria-labelledby="account-heading" id="account">
          <h2 id="account-heading" className="text-base font-semibold">
            Account
          </h2>
          <p className="mb-4 text-sm text-slate-600">
            Only owners see this. The plan is <strong className="font-medium">{account.plan}</strong>; every change is recorded in the activity log. See
            the month so far on the{" "}
            <Link href="/usage" className="font-medium text-indigo-700 hover:underline">
              Usage
            </Link>{" "}
            page.
          </p>
          <AccountSettingsForm current={{ name: account.name, seatLimit: account.seatLimit, ...account.quotas }} seatsUsed={seats.used} action={updateAccountAction} />
          {retention !== null && (
            <section aria-labelledby="account-retention-heading" className="mt-6 border-t border-slate-100 pt-4">
              <h3 id="account-retention-heading" className="text-sm font-semibold">
                Event retention
              </h3>
              <p className="mb-3 text-sm text-slate-600" data-testid="settings-retention-text">
                Events are kept for {retention} days, then deleted by an hourly purge that records what it deleted. Nobody can edit or delete an
                event before that. Also on the{" "}
                <Link href="/activity#retention-heading" className="font-medium text-indigo-700 hover:underline">
                  Activity
                </Link>{" "}
                page.
              </p>
              <RetentionForm days={retention} action={setEventRetentionAction} />
            </section>
          )}
          {requirement && (
            <section aria-labelledby="account-two-factor-heading" className="mt-6 border-t border-slate-100 pt-4">
              <h3 id="account-two-factor-heading" className="mb-1 text-sm font-semibold">
                Two-factor sign-in
              </h3>
              <TwoFactorRequirementSetting required={requirement.required} peopleWithout={requirement.peopleWithout} action={setTwoFactorRequirementAction} />
            </section>
          )}
        </Card>
      )}
      <Card aria-labelledby="password-heading">
        <h2 id="password-heading" className="mb-4 text-base font-semibold">
          Password
        </h2>
        <ChangePasswordForm />
      </Card>
      <Card aria-labelledby="two-factor-heading" id="two-factor">
        <h2 id="two-factor-heading" className="mb-2 text-base font-semibold">
          Two-factor sign-in
        </h2>
        <TwoFactorPanel status={twoFactor} externalProviders={externalProviders.map((p) => p.name)} actions={twoFactorActions} />
      </Card>
    </div>
  );
}
