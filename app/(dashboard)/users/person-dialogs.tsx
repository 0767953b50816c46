"use client";

import { Name } from "@/components/name";
import { useActionState, useState } from "react";
import { callAction, UNREACHABLE_MESSAGE } from "@/components/call-action";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { SecretReveal, SHOW_ONCE_GUARD } from "@/components/secret-reveal";
import { Alert } from "@/components/ui/alert";
import { Button, SubmitButton } from "@/components/ui/button";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Field, SelectField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import type { PersonRow } from "@/lib/domain/people/types";
import { SessionsEffect, useDeactivationImpact } from "./deactivation-impact";
import { pick, plural } from "@/components/format";
import { addPersonAction, removePersonAction, setPersonActiveAction, type AddPersonFormState } from "./actions";
import { grantableRoles, ROLE_LABELS } from "./row-controls";

type Role = PersonRow["role"];

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
              <bdi className="[overflow-wrap:anywhere]">{added.email}</bdi> already has a Botdesk user, so they keep their existing password and can
              sign in to this account right away. If they no longer know it, <strong>Reset password</strong> on their row gives them a one-time
              password (while this is their only account; otherwise they change it under Settings).
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

/** Asks before deactivating a person, saying how many of their credentials stop working and live agent sessions end. */
export function DeactivatePersonDialog({ person, onClose }: { person: PersonRow | null; onClose: () => void }) {
  const toast = useToast();
  const impact = useDeactivationImpact(person ? [person.id] : null);
  return (
    <ConfirmDialog
      open={person !== null}
      onClose={onClose}
      testId="deactivate-person-dialog"
      title={person ? <>Deactivate <Name name={person.name} />?</> : "Deactivate person?"}
      confirmLabel="Deactivate"
      pendingLabel="Deactivating…"
      onConfirm={async () => {
        if (!person) return { ok: true };
        const result = await callAction(() => setPersonActiveAction({ personId: person.id, active: false }));
        if (!result.ok) return { ok: false, message: result.message };
        toast.success(<>Deactivated <Name name={person.name} />.</>);
        return { ok: true };
      }}
    >
      {person && (
        <p>
          <Name name={person.name} /> ({person.email}) is signed out everywhere at once and can&apos;t sign in to this account until you reactivate
          them. Their seat becomes free; nothing is deleted.
        </p>
      )}
      <p data-testid="deactivate-person-effect" aria-live="polite">
        {impact === "loading"
          ? "Counting their credentials…"
          : impact === "failed"
            ? "Botdesk could not count their credentials; every credential they own here stops working too."
            : impact.credentials === 0
              ? "They own no working credentials here, so none stops working."
              : `${plural(impact.credentials, "credential", "credentials")} they own here ${pick(impact.credentials, "stops", "stop")} working at once, until you reactivate them.`}
      </p>
      <SessionsEffect impact={impact} testId="deactivate-person-sessions" />
    </ConfirmDialog>
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
