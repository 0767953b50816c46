import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getActor } from "@/lib/auth/actor";
import { externalProviders } from "@/lib/auth/config";
import { messageForRefusalCode } from "@/lib/auth/refusal-code";
import { Logo } from "@/components/logo";
import { Card } from "@/components/ui/card";
import { SubmitButton } from "@/components/ui/button";
import { signInWithProviderAction } from "./actions";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ error?: string; code?: string }> }) {
  const admission = await getActor();
  if (admission?.ok) redirect("/");

  const { error, code } = await searchParams;
  // Auth.js's own endpoint answers a right password of a person with a second factor this way: on to the code.
  if (code === "second_factor") redirect("/sign-in/two-factor");
  // A refused session is shown here, never redirected again: a cookie the browser
  // failed to drop must not loop. Auth.js sends provider refusals as ?error=AccessDenied.
  const initialError =
    (admission && !admission.ok ? admission.refusal.message : null) ??
    messageForRefusalCode(code ?? error) ??
    (error ? "Sign-in failed. Try again." : null);

  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <p className="text-2xl">
            <Logo />
          </p>
          <h1 className="mt-1 text-sm text-slate-600">Sign in to manage your account&apos;s people and bots</h1>
        </div>
        <Card>
          <SignInForm initialError={initialError} />
          {externalProviders.length > 0 && (
            <div className="mt-5 flex flex-col gap-2 border-t border-slate-200 pt-5">
              {externalProviders.map((p) => (
                <form key={p.id} action={signInWithProviderAction}>
                  <input type="hidden" name="provider" value={p.id} />
                  <SubmitButton variant="secondary" pendingLabel="Redirecting…" className="w-full">
                    Continue with {p.name}
                  </SubmitButton>
                </form>
              ))}
            </div>
          )}
        </Card>
        <p className="mt-4 text-center text-xs text-slate-500">
          Bot users can&apos;t sign in here: they use API keys with the REST API, and authtokens and SSH keys with agents.
        </p>
      </div>
    </main>
  );
}
