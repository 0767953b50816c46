import type { Metadata } from "next";
import Link from "next/link";
import { Logo } from "@/components/logo";
import { buttonClass } from "@/components/ui/button-styles";
import { Card } from "@/components/ui/card";
import { setupLinkStatus } from "@/lib/domain/setup/setup-link-status";
import { SETUP_LINK_MESSAGES } from "@/lib/domain/setup/setup-token";
import { SetupForm } from "./setup-form";

// The token is in the URL: never send it on to another site.
export const metadata: Metadata = { title: "Set up Botdesk", referrer: "no-referrer" };

/**
 * Where the first person of a new Botdesk on a PostgreSQL server creates its
 * first account and becomes its owner, with the one-time link the server
 * printed (`npm start` on an empty database, or `npm run setup-link`). Without
 * a valid link it offers nothing but an explanation; once an account exists it
 * says so and points to sign-in. The action checks all of this again.
 */
export default async function SetupPage({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  const value = typeof token === "string" ? token : token === undefined ? undefined : "";
  const status = await setupLinkStatus(value);
  return (
    <main className="flex min-h-dvh items-center justify-center px-4 py-10">
      <div className="w-full max-w-sm">
        <div className="mb-6 text-center">
          <p className="text-2xl">
            <Logo />
          </p>
          <h1 className="mt-1 text-lg font-semibold">{status === "set_up" ? "Botdesk is set up" : "Set up Botdesk"}</h1>
          {status === "valid" && (
            <p className="mt-1 text-sm text-slate-600">Create the first account. You become its owner: you add the other people and the bots.</p>
          )}
        </div>
        <Card>
          {status === "valid" ? (
            <SetupForm token={value!} />
          ) : (
            <div className="flex flex-col gap-3 text-sm text-slate-700" data-testid="setup-refused" data-status={status}>
              <p>{SETUP_LINK_MESSAGES[status]}</p>
              {status === "set_up" ? (
                <Link href="/sign-in" className={buttonClass("primary", "w-full")}>
                  Sign in
                </Link>
              ) : (
                <p>
                  On the server, <code className="rounded bg-slate-100 px-1 py-0.5 text-xs">npm run setup-link</code> prints a new link (valid for 24
                  hours; it replaces every older one).
                </p>
              )}
            </div>
          )}
        </Card>
      </div>
    </main>
  );
}
