"use client";

import { Name } from "@/components/name";
import { useActionState, useEffect, useRef, useState } from "react";
import { UNREACHABLE_MESSAGE } from "@/components/call-action";
import { Alert } from "@/components/ui/alert";
import { Button, SubmitButton } from "@/components/ui/button";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Field, SelectField, TextareaField } from "@/components/ui/field";
import type { CredentialKind, CredentialView } from "@/lib/domain/credentials/credential-view";
import { DESCRIPTION_MAX_BYTES, METADATA_MAX_BYTES } from "@/lib/validation/limits";
import { EMPTY_CREDENTIAL_VALUES, type CreateCredentialState, type CredentialActions, type CredentialFormValues } from "./form-state";
import { KIND_LABELS } from "./labels";

/** Someone a credential can be created for (the owner picker on /credentials). */
export interface OwnerOption {
  id: string;
  name: string;
  kind: "person" | "bot";
}

const KINDS: { value: CredentialKind; hint: string }[] = [
  { value: "authtoken", hint: "for an agent that connects" },
  { value: "api_key", hint: "for a program calling the API" },
  { value: "ssh_key", hint: "for an agent connecting over SSH" },
];

const EXPIRIES = [
  { value: "never", label: "Never" },
  { value: "30", label: "In 30 days" },
  { value: "90", label: "In 90 days" },
  { value: "365", label: "In 1 year" },
  { value: "date", label: "On a date…" },
];

/**
 * Creates a credential for a fixed owner (`owner`) or one picked from `owners`.
 * Typed values survive a refused submit; a pasted private key does not come back.
 */
export function CreateCredentialDialog({
  action,
  open,
  onClose,
  owner,
  owners,
  onCreated,
}: {
  /** The create server action (app/(dashboard)/credentials/actions.ts). */
  action: CredentialActions["create"];
  open: boolean;
  onClose: () => void;
  owner?: { id: string; name: string };
  owners?: OwnerOption[];
  onCreated: (created: { credential: CredentialView; token: string | null }) => void;
}) {
  return (
    <Dialog
      open={open}
      onClose={onClose}
      wide
      testId="create-credential-dialog"
      title={owner ? <>New credential for <Name name={owner.name} /></> : "New credential"}
      description="Its owner is set now and can never change."
    >
      <CreateCredentialForm action={action} owner={owner} owners={owners} onCancel={onClose} onCreated={onCreated} />
    </Dialog>
  );
}

function CreateCredentialForm({
  action,
  owner,
  owners,
  onCancel,
  onCreated,
}: {
  action: CredentialActions["create"];
  owner?: { id: string; name: string };
  owners?: OwnerOption[];
  onCancel: () => void;
  onCreated: (created: { credential: CredentialView; token: string | null }) => void;
}) {
  const initial: CredentialFormValues = { ...EMPTY_CREDENTIAL_VALUES, kind: "authtoken", ownerId: owner?.id ?? "" };
  const [state, formAction] = useActionState<FormState, FormData>(async (prev, formData) => {
    let next: CreateCredentialState;
    try {
      next = await action(prev, formData);
    } catch (error) {
      console.error(error);
      next = { values: prev.values, result: { ok: false, code: "unreachable", message: UNREACHABLE_MESSAGE } };
    }
    // A redirecting action (expired session) resolves without a state.
    next ??= { values: prev.values, result: { ok: false, code: "no_result", message: UNREACHABLE_MESSAGE } };
    if (next.result?.ok) onCreated(next.result.data);
    return { ...next, attempt: prev.attempt + 1 };
  }, { values: initial, result: null, attempt: 0 });

  // React resets a form after its action, and a reset puts selects back on the option they
  // mounted with, so each answer remounts the fields, filled from the returned values.
  return <CreateCredentialFields key={state.attempt} state={state} formAction={formAction} owner={owner} owners={owners} onCancel={onCancel} />;
}

type FormState = CreateCredentialState & { attempt: number };

function CreateCredentialFields({
  state,
  formAction,
  owner,
  owners,
  onCancel,
}: {
  state: FormState;
  formAction: (formData: FormData) => void;
  owner?: { id: string; name: string };
  owners?: OwnerOption[];
  onCancel: () => void;
}) {
  const values = state.values;
  // Kind and expiry decide which fields show.
  const [kind, setKind] = useState<string>(values.kind || "authtoken");
  const [expiry, setExpiry] = useState<string>(values.expiry || "never");
  const failure = state.result && !state.result.ok ? state.result : null;
  const errors = failure?.fieldErrors ?? {};
  const shown = ["kind", "description", "metadata", "expiry", "expiresOn", ...(owners ? ["ownerId"] : [])];
  if (kind !== "api_key") shown.push("acl");
  if (kind === "ssh_key") shown.push("publicKey");
  const fieldErrorShown = shown.some((k) => errors[k]);

  // After a refusal, take the keyboard to the first field to fix (or the message).
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state.attempt === 0 || !failure) return;
    formRef.current?.querySelector<HTMLElement>("[aria-invalid=true], [role=alert]")?.focus();
  }, [state.attempt, failure]);

  return (
    <form ref={formRef} action={formAction} className="flex flex-col gap-4" noValidate data-testid="create-credential-form">
      {failure && !fieldErrorShown && (
        <Alert data-testid="credential-form-error" tabIndex={-1}>
          {failure.message}
        </Alert>
      )}
      {owners ? (
        <SelectField label="Owner" name="ownerId" defaultValue={values.ownerId} error={errors.ownerId} required>
          <option value="">Choose a person or bot…</option>
          <optgroup label="Bots">
            {owners.filter((o) => o.kind === "bot").map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </optgroup>
          <optgroup label="People">
            {owners.filter((o) => o.kind === "person").map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </optgroup>
        </SelectField>
      ) : (
        <input type="hidden" name="ownerId" value={owner?.id ?? ""} />
      )}

      <SelectField label="Kind" name="kind" defaultValue={values.kind || "authtoken"} onChange={(e) => setKind(e.target.value)} error={errors.kind}>
        {KINDS.map((k) => (
          <option key={k.value} value={k.value}>
            {KIND_LABELS[k.value]}: {k.hint}
          </option>
        ))}
      </SelectField>

      {/* Hidden rather than unmounted, so what was typed survives switching kinds; the action sends only what the kind uses. */}
      <div hidden={kind !== "ssh_key"}>
        <TextareaField
          label="Public key"
          name="publicKey"
          rows={4}
          defaultValue={values.publicKey}
          error={kind === "ssh_key" ? errors.publicKey : undefined}
          spellCheck={false}
          autoComplete="off"
          className="font-mono text-xs"
          placeholder="ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA… you@host"
          hint="The contents of the .pub file: ssh-ed25519, ecdsa-sha2-nistp256/384/521, or ssh-rsa of at least 2048 bits. Never the private key."
        />
      </div>

      <Field
        label="Description"
        name="description"
        defaultValue={values.description}
        error={errors.description}
        autoComplete="off"
        placeholder="e.g. deploys from GitHub Actions"
        hint={`Optional, up to ${DESCRIPTION_MAX_BYTES} bytes.`}
      />

      <div hidden={kind === "api_key"}>
        <TextareaField
          label="ACL"
          name="acl"
          rows={3}
          defaultValue={values.acl}
          error={kind !== "api_key" ? errors.acl : undefined}
          spellCheck={false}
          autoComplete="off"
          className="font-mono text-xs"
          placeholder={"bind:*.example.com\nbind:team=ops"}
          hint={
            <>
              One rule per line: <code>bind:example.com</code>, <code>bind:*.example.com</code>, <code>bind:team=*</code>, or{" "}
              <code>*</code>. Empty means no restriction.
            </>
          }
        />
      </div>

      <TextareaField
        label="Metadata"
        name="metadata"
        rows={2}
        defaultValue={values.metadata}
        error={errors.metadata}
        spellCheck={false}
        autoComplete="off"
        className="font-mono text-xs"
        placeholder='{"team": "platform"}'
        hint={`Optional, up to ${METADATA_MAX_BYTES} bytes, for your own use.`}
      />

      <div className="grid gap-4 sm:grid-cols-2">
        <SelectField label="Expires" name="expiry" defaultValue={values.expiry || "never"} onChange={(e) => setExpiry(e.target.value)} error={errors.expiry}>
          {EXPIRIES.map((e) => (
            <option key={e.value} value={e.value}>
              {e.label}
            </option>
          ))}
        </SelectField>
        {expiry === "date" && (
          <Field label="Expiry date" name="expiresOn" type="date" min={tomorrow()} defaultValue={values.expiresOn} error={errors.expiresOn} />
        )}
      </div>

      <DialogActions>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <SubmitButton pendingLabel="Creating…">Create credential</SubmitButton>
      </DialogActions>
    </form>
  );
}

function tomorrow(): string {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}
