"use client";

import { useOptimistic, useState, useTransition } from "react";
import { callAction } from "@/components/call-action";
import { Name } from "@/components/name";
import { Button, Spinner } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import type { PersonRow } from "@/lib/domain/people/types";
import type { BotRef } from "./bot-dialogs";
import { changeRoleAction, setBotsActiveAction, setPersonActiveAction } from "./actions";
import { DeactivatePersonDialog, ResetPasswordDialogs, ResetTwoFactorDialog, SetBotsActiveDialog } from "./lazy-dialogs";

// The controls in each row of the people and bots tables, which render at first paint. The dialogs they
// open are loaded after the page (./lazy-dialogs), so their code is not part of the page's first load.

type Role = PersonRow["role"];
export const ROLE_LABELS: Record<Role, string> = { owner: "Owner", admin: "Admin", member: "Member" };

/** The roles an actor may hand out: only owners make owners. */
export function grantableRoles(actorRole: Role): Role[] {
  return actorRole === "owner" ? ["owner", "admin", "member"] : ["admin", "member"];
}

/** A person's role: a select for owners and admins that saves on change. */
export function RoleSelect({ person, actorRole }: { person: PersonRow; actorRole: Role }) {
  const toast = useToast();
  const [pending, startTransition] = useTransition();
  const [shown, setShown] = useOptimistic(person.role);
  const options = grantableRoles(actorRole);
  // An admin cannot change an owner; the owner role is still shown as the current value.
  const locked = actorRole !== "owner" && person.role === "owner";
  const choices: Role[] = options.includes(person.role) ? options : [person.role, ...options];
  return (
    <span className="inline-flex items-center gap-2">
      <select
        aria-label={`Role of ${person.name}`}
        value={shown}
        disabled={pending || locked}
        title={locked ? "Only an owner can change an owner" : undefined}
        onChange={(e) => {
          const role = e.target.value as Role;
          startTransition(async () => {
            setShown(role);
            const result = await callAction(() => changeRoleAction({ personId: person.id, role }));
            if (result.ok) toast.success(<><Name name={person.name} /> is now {ROLE_LABELS[role].toLowerCase()}.</>);
            else toast.error(result.message);
          });
        }}
        className="min-h-8 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm disabled:bg-slate-50 disabled:text-slate-500"
      >
        {choices.map((r) => (
          <option key={r} value={r}>
            {ROLE_LABELS[r]}
          </option>
        ))}
      </select>
      {pending && <Spinner />}
    </span>
  );
}

export function roleLabel(role: Role): string {
  return ROLE_LABELS[role];
}

/** Deactivate a person after a confirmation (their sessions and credentials stop); Reactivate at once. */
export function TogglePersonActiveButton({ person }: { person: PersonRow }) {
  const toast = useToast();
  const [pending, startTransition] = useTransition();
  const [confirming, setConfirming] = useState(false);
  const verb = person.active ? "Deactivate" : "Reactivate";
  return (
    <>
      <Button
        variant="ghost"
        size="sm"
        disabled={pending}
        aria-busy={pending}
        aria-label={`${verb} ${person.name}`}
        onClick={() => {
          if (person.active) {
            setConfirming(true);
            return;
          }
          startTransition(async () => {
            const result = await callAction(() => setPersonActiveAction({ personId: person.id, active: true }));
            if (result.ok) toast.success(<>Reactivated <Name name={person.name} />.</>);
            else toast.error(result.message);
          });
        }}
      >
        {pending && <Spinner />}
        {pending ? "Reactivating…" : verb}
      </Button>
      <DeactivatePersonDialog person={confirming ? person : null} onClose={() => setConfirming(false)} />
    </>
  );
}

/** Deactivate one bot after a confirmation (it stops an integration); Reactivate at once. A toast either way. */
export function ToggleBotActiveButton({ bot, compact = false }: { bot: BotRef; compact?: boolean }) {
  const toast = useToast();
  const [pending, startTransition] = useTransition();
  const [confirming, setConfirming] = useState(false);
  const verb = bot.active ? "Deactivate" : "Reactivate";
  return (
    <>
      <Button
        variant={compact ? "ghost" : "secondary"}
        size={compact ? "sm" : "md"}
        disabled={pending}
        aria-busy={pending}
        aria-label={compact ? `${verb} ${bot.name}` : undefined}
        onClick={() => {
          if (bot.active) {
            setConfirming(true);
            return;
          }
          startTransition(async () => {
            const result = await callAction(() => setBotsActiveAction({ ids: [bot.id], active: true }));
            if (result.ok) toast.success(<>Reactivated <Name name={bot.name} />.</>);
            else toast.error(result.message);
          });
        }}
      >
        {pending && <Spinner />}
        {pending ? "Reactivating…" : verb}
      </Button>
      <SetBotsActiveDialog request={confirming ? { bots: [bot], active: false } : null} onClose={() => setConfirming(false)} />
    </>
  );
}

/** "Reset password" in a person's row: asks first, then shows the one-time password once (./reset-password-dialog). */
export function ResetPasswordButton({ person }: { person: PersonRow }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <Button variant="ghost" size="sm" aria-label={`Reset password of ${person.name}`} onClick={() => setConfirming(true)}>
        Reset password
      </Button>
      <ResetPasswordDialogs person={person} confirming={confirming} onClose={() => setConfirming(false)} />
    </>
  );
}

/** "Reset two-factor" in the row of a person who has a second factor: asks first (./reset-two-factor-dialog). */
export function ResetTwoFactorButton({ person }: { person: PersonRow }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <>
      <Button variant="ghost" size="sm" aria-label={`Reset two-factor of ${person.name}`} onClick={() => setConfirming(true)}>
        Reset two-factor
      </Button>
      <ResetTwoFactorDialog person={person} confirming={confirming} onClose={() => setConfirming(false)} />
    </>
  );
}
