import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getActor } from "@/lib/auth/actor";
import { hasPendingSignInCookie } from "@/lib/auth/pending-sign-in-cookie";
import { Logo } from "@/components/logo";
import { Card } from "@/components/ui/card";
import { SecondFactorForm } from "./second-factor-form";

export const metadata: Metadata = { title: "Two-factor sign-in" };

/**
 * The sign-in's second step, reached after a right password of a person with a
 * second factor. Without a pending sign-in (no cookie) it sends the browser to
 * the first step; a signed-in person goes to the dashboard.
 */
export default async function SecondFactorPage() {
  const admission = await getActor();
  if (admission?.ok) redirect("/");
  if (!(await hasPendingSignInCookie())) redirect("/sign-in");
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <p className="text-2xl">
            <Logo />
          </p>
          <h1 className="mt-1 text-lg font-semibold">Two-factor sign-in</h1>
          <p className="mt-1 text-sm text-slate-600">Enter the code from your authenticator app, or one of your recovery codes.</p>
        </div>
        <Card>
          <SecondFactorForm />
        </Card>
        <p className="mt-4 text-center text-sm">
          <Link href="/sign-in" className="font-medium text-indigo-700 hover:underline">
            Start over
          </Link>
        </p>
        <p className="mt-2 text-center text-xs text-slate-500">Lost your phone and your recovery codes? An admin of your account can reset your two-factor sign-in.</p>
      </div>
    </main>
  );
}
