import type { Metadata } from "next";
import { requireActorChoosingPassword } from "@/lib/auth/actor";
import { Logo } from "@/components/logo";
import { Name } from "@/components/name";
import { Card } from "@/components/ui/card";
import { SubmitButton } from "@/components/ui/button";
import { signOutAction } from "@/app/(dashboard)/actions";
import { ChoosePasswordForm } from "./choose-password-form";

export const metadata: Metadata = { title: "Choose a new password" };

/**
 * Where a person whose password an admin reset lands after signing in with the
 * one-time password; every dashboard page and action sends them here until
 * they have chosen a new one (requireActor).
 */
export default async function ChoosePasswordPage() {
  const actor = await requireActorChoosingPassword();
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <p className="text-2xl">
            <Logo />
          </p>
          <h1 className="mt-1 text-lg font-semibold">Choose a new password</h1>
          <p className="mt-1 text-sm text-slate-600">
            An admin of <Name name={actor.account.name} /> reset the password of <Name name={actor.principal.name} /> ({actor.principal.email}).
            Choose your own to continue: the one-time password then stops working, and any other session is signed out.
          </p>
        </div>
        <Card>
          <ChoosePasswordForm email={actor.principal.email} />
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
