"use client";

import { Name } from "@/components/name";
import { useActionState, useOptimistic, useState, useTransition } from "react";
import { callAction, UNREACHABLE_MESSAGE } from "@/components/call-action";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { SecretReveal, SHOW_ONCE_GUARD } from "@/components/secret-reveal";
import { Alert } from "@/components/ui/alert";
import { Button, Spinner, SubmitButton } from "@/components/ui/button";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Field, SelectField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import type { PersonRow } from "@/lib/domain/people/types";
import { addPersonAction, changeRoleAction, removePersonAction, setPersonActiveAction, type AddPersonFormState } from "./actions";

type Role = PersonRow["role"];
const ROLE_LABELS: Record<Role, string> = { owner: "Owner", admin: "Admin", member: "Member" };

/** The roles an actor may hand out: only owners make owners. */
export function grantableRoles(actorRole: Role): Role[] {
  return actorRole === "owner" ? ["owner", "admin", "member"] : ["admin", "member"];
}

type Added = { email: string; name: string; initialPassword: string | null };

/** Adds a person; on success the same dialog shows their one-time initial password. */
export function AddPersonDialog({ open, onClose, actorRole, atSeatLimit }: { open: boolean; onClose: () => void; actorRole: Role; atSeatLimit: boolean }) {
  const [added, setAdded] = useState<Added | null>(null);
  const close = () => {
    setAdded(null);
    onClose();
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      title={added ? <><Name name={added.name} /> was added</> : "Add a person"}
      description={added ? undefined : "People sign in to this dashboard and each uses a seat."}
      testId="add-person-dialog"
      wide
      // The initial password is shown once: only "I've stored it" closes the dialog without asking.
      dismissGuard={added?.initialPassword ? SHOW_ONCE_GUARD : undefined}
    >
      {added ? (
        <div className="flex flex-col gap-4" data-testid="person-added">
          {added.initialPassword ? (
            <SecretReveal
              label={`Initial password for ${added.email}`}
              value={added.initialPassword}
              warning={
                <>
                  <strong>Copy this password now: it won&apos;t be shown again.</strong> Give it to <Name name={added.name} /> over a safe channel; they
                  can change it under Settings after signing in.
                </>
              }
            />
          ) : (
            <Alert tone="info">
              {added.email} already has a Botdesk user, so they keep their existing password and can sign in to this account right away.
            </Alert>
          )}
          <DialogActions>
            <Button onClick={close}>{added.initialPassword ? "I've stored it" : "Done"}</Button>
          </DialogActions>
        </div>
      ) : (
        <AddPersonForm actorRole={actorRole} atSeatLimit={atSeatLimit} onCancel={close} onAdded={setAdded} />
      )}
    </Dialog>
  );
}

function AddPersonForm({
  actorRole,
  atSeatLimit,
  onCancel,
  onAdded,
}: {
  actorRole: Role;
  atSeatLimit: boolean;
  onCancel: () => void;
  onAdded: (added: Added) => void;
}) {
  const [state, formAction] = useActionState<AddPersonFormState, FormData>(
    async (prev, formData) => {
      let next: AddPersonFormState;
      try {
        next = await addPersonAction(prev, formData);
      } catch (error) {
        console.error(error);
        const values = { email: String(formData.get("email") ?? ""), name: String(formData.get("name") ?? ""), role: String(formData.get("role") ?? "member") };
        next = { values, result: { ok: false, code: "unreachable", message: UNREACHABLE_MESSAGE } };
      }
      // The dialog itself turns into the confirmation (with the password), so no toast here.
      if (next.result?.ok) {
        onAdded({ email: next.result.data.email, name: next.values.name.trim(), initialPassword: next.result.data.initialPassword });
      }
      return next;
    },
    { values: { email: "", name: "", role: "member" }, result: null },
  );
  const failure = state.result && !state.result.ok ? state.result : null;
  const fieldErrors = failure?.fieldErrors ?? {};
  const formLevel = failure && !fieldErrors.email && !fieldErrors.name && !fieldErrors.role;
  return (
    <form action={formAction} className="flex flex-col gap-4" noValidate>
      {atSeatLimit && !failure && (
        <Alert tone="warning">Every seat is in use, so adding a person will be refused until a seat is free.</Alert>
      )}
      {formLevel && <Alert data-testid="add-person-error">{failure.message}</Alert>}
      <Field label="Email" name="email" type="email" autoComplete="off" defaultValue={state.values.email} error={fieldErrors.email} />
      <Field label="Name" name="name" autoComplete="off" defaultValue={state.values.name} error={fieldErrors.name} />
      <SelectField label="Role" name="role" defaultValue={state.values.role} error={fieldErrors.role}>
        {grantableRoles(actorRole).map((r) => (
          <option key={r} value={r}>
            {ROLE_LABELS[r]}
          </option>
        ))}
      </SelectField>
      <DialogActions>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <SubmitButton pendingLabel="Adding…">Add person</SubmitButton>
      </DialogActions>
    </form>
  );
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
      <ConfirmDialog
        open={confirming}
        onClose={() => setConfirming(false)}
        testId="deactivate-person-dialog"
        title={<>Deactivate <Name name={person.name} />?</>}
        confirmLabel="Deactivate"
        pendingLabel="Deactivating…"
        onConfirm={async () => {
          const result = await callAction(() => setPersonActiveAction({ personId: person.id, active: false }));
          if (!result.ok) return { ok: false, message: result.message };
          toast.success(<>Deactivated <Name name={person.name} />.</>);
          return { ok: true };
        }}
      >
        <p>
          <Name name={person.name} /> ({person.email}) is signed out everywhere at once and can&apos;t sign in to this account, and every credential they own
          here stops working, until you reactivate them. Their seat becomes free; nothing is deleted.
        </p>
      </ConfirmDialog>
    </>
  );
}

export function RemovePersonDialog({ person, onClose }: { person: PersonRow | null; onClose: () => void }) {
  const toast = useToast();
  return (
    <ConfirmDialog
      open={person !== null}
      onClose={onClose}
      testId="remove-person-dialog"
      title={person ? <>Remove <Name name={person.name} />?</> : "Remove person?"}
      confirmLabel="Remove"
      pendingLabel="Removing…"
      onConfirm={async () => {
        if (!person) return { ok: true };
        const result = await callAction(() => removePersonAction({ personId: person.id }));
        if (!result.ok) return { ok: false, message: result.message };
        toast.success(<>Removed <Name name={person.name} /> from this account.</>);
        return { ok: true };
      }}
    >
      {person && (
        <>
          <p>
            <Name name={person.name} /> ({person.email}) loses access to this account on their next request, and their seat becomes free.
          </p>
          <p>Their user and their past activity stay; you can add them again later.</p>
        </>
      )}
    </ConfirmDialog>
  );
}
