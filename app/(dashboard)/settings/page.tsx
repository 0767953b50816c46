import type { Metadata } from "next";
import { requireActor } from "@/lib/auth/actor";
import { Card } from "@/components/ui/card";
import { ChangePasswordForm } from "./change-password-form";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const actor = await requireActor();
  return (
    <div className="flex flex-col gap-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Your settings</h1>
        <p className="text-sm text-slate-600">
          Signed in as {actor.person.name} ({actor.person.email}), {actor.role} of {actor.account.name}.
        </p>
      </div>
      <Card aria-labelledby="password-heading">
        <h2 id="password-heading" className="mb-4 text-base font-semibold">
          Password
        </h2>
        <ChangePasswordForm />
      </Card>
    </div>
  );
}
