import type { Metadata } from "next";
import { requireActorSettingUpTwoFactor } from "@/lib/auth/actor";
import { Logo } from "@/components/logo";
import { Name } from "@/components/name";
import { Card } from "@/components/ui/card";
import { SubmitButton } from "@/components/ui/button";
import { signOutAction } from "@/app/(dashboard)/actions";
import { beginTwoFactorEnrolmentAction, confirmTwoFactorEnrolmentAction } from "@/app/(dashboard)/settings/two-factor-actions";
import { SetUpTwoFactor } from "./set-up-two-factor";

export const metadata: Metadata = { title: "Set up two-factor sign-in" };

/**
 * Where a person is sent, right after their password (or on their next request
 * when an owner has just turned the requirement on), when an account of theirs
 * requires two-factor sign-in and they have none: every dashboard page and
 * action sends them here until they have set it up (requireActor). Anyone
 * else is told there is nothing to do here (not redirected: the page
 * re-renders when the setup is confirmed, and must keep showing the recovery
 * codes until they are stored).
 */
export default async function SetUpTwoFactorPage() {
  const actor = await requireActorSettingUpTwoFactor();
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-10">
      <div className="w-full max-w-xl">
        <div className="mb-6 text-center">
          <p className="text-2xl">
            <Logo />
          </p>
          <h1 className="mt-1 text-lg font-semibold">Set up two-factor sign-in</h1>
          <p className="mt-1 text-sm text-slate-600">
            <Name name={actor.account.name} /> requires a second factor for everyone who signs in with a password. Set up an authenticator app for{" "}
            <Name name={actor.principal.name} /> ({actor.principal.email}) to continue.
          </p>
        </div>
        <Card>
          <SetUpTwoFactor actions={{ begin: beginTwoFactorEnrolmentAction, confirm: confirmTwoFactorEnrolmentAction }} alreadyOn={!actor.mustEnrolTwoFactor} />
        </Card>
        <form action={signOutAction} className="mt-4 text-center">
          <SubmitButton variant="ghost" size="sm" pendingLabel="Signing out…">
            Sign out instead
          </SubmitButton>
        </form>
      </div>
    </main>
  );
}
