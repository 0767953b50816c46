import { Name } from "@/components/name";
import Link from "next/link";
import { requireActor } from "@/lib/auth/actor";
import { Logo } from "@/components/logo";
import { MainNav } from "@/components/main-nav";
import { canManage, mayManageEventStreams } from "@/lib/domain/permissions";
import { SubmitButton } from "@/components/ui/button";
import { ToastProvider } from "@/components/ui/toast";
import { signOutAction, switchAccountAction } from "./actions";
import { OverQuotaBanner } from "@/components/usage/over-quota-banner";
import { FailingDestinationsBanner } from "@/components/event-streams/failing-destinations-banner";

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  const actor = await requireActor();
  return (
    <div className="min-h-dvh">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2">
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white" data-toast-anchor>
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-3 px-4 py-3">
          <Link href="/" className="text-lg">
            <Logo />
          </Link>
          <div className="flex items-center gap-2 text-sm max-sm:order-3 max-sm:basis-full">
            <span className="text-slate-500">Account</span>
            {actor.accounts.length > 1 ? (
              <form action={switchAccountAction} className="flex items-center gap-2">
                <label htmlFor="account-switch" className="sr-only">
                  Switch account
                </label>
                <select
                  id="account-switch"
                  name="accountId"
                  defaultValue={actor.account.id}
                  className="rounded-md border border-slate-300 bg-white px-2 py-1"
                >
                  {actor.accounts.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.name}
                    </option>
                  ))}
                </select>
                <SubmitButton variant="ghost" pendingLabel="Switching…" size="sm">
                  Switch
                </SubmitButton>
              </form>
            ) : (
              <strong data-testid="account-name" className="max-w-48 font-semibold">
                <Name name={actor.account.name} clamp />
              </strong>
            )}
          </div>
          <MainNav
            items={[
              { href: "/", label: "Overview" },
              { href: "/users", label: "Users & bots" },
              { href: "/activity", label: "Activity" },
              { href: "/usage", label: "Usage" },
              ...(canManage(actor) ? [{ href: "/credentials", label: "Credentials" }] : []),
              { href: "/developers", label: "API" },
              { href: "/settings", label: "Settings" },
            ]}
          />
          <div className="ml-auto flex items-center gap-3 text-sm max-sm:order-4">
            {/* Who is signed in, at every width; long names are cut to a line, in full on hover. */}
            <span className="min-w-0 max-w-60 text-right sm:max-w-64">
              <span className="block truncate font-medium" data-testid="person-name" title={actor.principal.name}>
                <bdi>{actor.principal.name}</bdi>
              </span>
              <span className="block truncate text-xs text-slate-500" title={`${actor.principal.email} · ${actor.role}`}>
                <bdi>{actor.principal.email}</bdi> · {actor.role}
              </span>
            </span>
            <form action={signOutAction}>
              <SubmitButton variant="secondary" pendingLabel="Signing out…">
                Sign out
              </SubmitButton>
            </form>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-4 py-6">
        {canManage(actor) && <OverQuotaBanner actor={actor} />}
        {mayManageEventStreams(actor) && <FailingDestinationsBanner actor={actor} />}
        <ToastProvider>{children}</ToastProvider>
      </main>
    </div>
  );
}
