"use client";

import { Name } from "@/components/name";
import { BulkBar } from "@/components/bulk-bar";
import { plural } from "@/components/format";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import type { CredentialKind, CredentialView } from "@/lib/domain/credentials/credential-view";
import { CredentialCells } from "./credential-cells";
import type { CredentialActions, RevealedSecret } from "./form-state";
import { KIND_LABELS, KIND_ORDER, KIND_PLURALS, inSentence } from "./labels";
import { CreateCredentialDialog, RevokeCredentialsDialog, RotateCredentialDialog, SecretOnceDialog } from "./lazy-dialogs";

/**
 * One owner's live credentials, grouped by kind, with create, rotate, revoke and
 * bulk revoke for viewers who may manage them (the owner themselves, or an
 * admin). A new secret is shown once, from the action's response only.
 */
export function CredentialsPanel({
  actions,
  ownerId,
  ownerName,
  credentials,
  manage,
  headingId = "credentials-heading",
  title = "Credentials",
  intro,
  viewerIsOwner = false,
  firstStep = false,
}: {
  /** The credential server actions, passed in by the page (components never import app/). */
  actions: CredentialActions;
  ownerId: string;
  ownerName: string;
  credentials: CredentialView[];
  manage: boolean;
  headingId?: string;
  title?: string;
  intro?: React.ReactNode;
  /** The signed-in person's own credentials (settings): "You have none yet". */
  viewerIsOwner?: boolean;
  /** A bot just created: the empty state offers its first credential as the next step. */
  firstStep?: boolean;
}) {
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [rotating, setRotating] = useState<CredentialView | null>(null);
  const [revoking, setRevoking] = useState<CredentialView[] | null>(null);
  const [secret, setSecret] = useState<RevealedSecret | null>(null);
  const [selection, setSelection] = useState<Set<string>>(new Set());

  // Keep only selected ids that are still listed (after a revoke or a refresh).
  const [shown, setShown] = useState(credentials);
  if (shown !== credentials) {
    setShown(credentials);
    const live = new Set(credentials.map((c) => c.id));
    setSelection((s) => new Set([...s].filter((id) => live.has(id))));
  }
  const selected = credentials.filter((c) => selection.has(c.id));
  const toggle = (ids: string[], on: boolean) =>
    setSelection((s) => {
      const next = new Set(s);
      for (const id of ids) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });

  const byKind = new Map<CredentialKind, CredentialView[]>();
  for (const c of credentials) byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), c]);

  return (
    <div className="flex min-w-0 flex-col gap-4" data-testid="credentials-panel">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h2 id={headingId} className="text-lg font-semibold">
            {title} {credentials.length > 0 && <span className="font-normal text-slate-500">({credentials.length})</span>}
          </h2>
          {intro && <div className="text-sm text-slate-600">{intro}</div>}
        </div>
        {manage && credentials.length > 0 && <Button onClick={() => setCreating(true)}>Create credential</Button>}
      </div>

      {manage && selected.length > 0 && (
        <BulkBar count={selected.length} noun={{ one: "credential", many: "credentials" }} testId="credentials-bulk-bar" onClear={() => setSelection(new Set())}>
          <Button variant="danger" size="sm" onClick={() => setRevoking(selected)}>
            Revoke {plural(selected.length, "credential", "credentials")}
          </Button>
        </BulkBar>
      )}

      {credentials.length === 0 ? (
        <div data-testid="credentials-empty" className="rounded-lg border border-dashed border-slate-300 px-4 py-8 text-center text-sm text-slate-600">
          <p>
            {viewerIsOwner ? (
              "You have no credentials yet."
            ) : (
              <>
                <Name name={ownerName} /> has no credentials yet.
              </>
            )}
            {manage && " Create an authtoken for an agent, an API key for a program, or add an SSH public key."}
          </p>
          {manage && (
            <Button className="mt-3" onClick={() => setCreating(true)} autoFocus={firstStep}>
              {firstStep ? "Create its first credential" : "Create credential"}
            </Button>
          )}
        </div>
      ) : (
        KIND_ORDER.filter((k) => byKind.has(k)).map((kind) => (
          <KindGroup
            key={kind}
            kind={kind}
            rows={byKind.get(kind)!}
            all={credentials}
            manage={manage}
            selection={selection}
            onToggle={toggle}
            onRotate={setRotating}
            onRevoke={(c) => setRevoking([c])}
          />
        ))
      )}

      {manage && (
        <>
          <CreateCredentialDialog
            action={actions.create}
            open={creating}
            onClose={() => setCreating(false)}
            owner={{ id: ownerId, name: ownerName }}
            onCreated={({ credential, token }) => {
              setCreating(false);
              if (token) {
                toast.success(`${KIND_LABELS[credential.kind]} ${credential.display} created: copy it now.`);
                setSecret({ token, credential });
              } else {
                toast.success(`${KIND_LABELS[credential.kind]} ${credential.display} added.`);
              }
            }}
          />
          <RotateCredentialDialog rotate={actions.rotate} credential={rotating} onClose={() => setRotating(null)} onRotated={setSecret} />
          <RevokeCredentialsDialog
            revoke={actions.revoke}
            credentials={revoking}
            onClose={() => setRevoking(null)}
            onRevoked={() => setSelection((s) => new Set([...s].filter((id) => !revoking?.some((c) => c.id === id))))}
          />
        </>
      )}
      <SecretOnceDialog secret={secret} onClose={() => setSecret(null)} />
    </div>
  );
}

function KindGroup({
  kind,
  rows,
  all,
  manage,
  selection,
  onToggle,
  onRotate,
  onRevoke,
}: {
  kind: CredentialKind;
  rows: CredentialView[];
  all: CredentialView[];
  manage: boolean;
  selection: Set<string>;
  onToggle: (ids: string[], on: boolean) => void;
  onRotate: (c: CredentialView) => void;
  onRevoke: (c: CredentialView) => void;
}) {
  const ids = rows.map((r) => r.id);
  const picked = ids.filter((id) => selection.has(id)).length;
  const groupId = `credentials-group-${kind}`;
  return (
    <section aria-labelledby={groupId} data-testid={`credentials-${kind}`} className="flex min-w-0 flex-col gap-2">
      <h3 id={groupId} className="text-sm font-semibold text-slate-700">
        {KIND_PLURALS[kind]} <span className="font-normal text-slate-500">({rows.length})</span>
      </h3>
      {/* relative: keeps visually hidden text inside the scroll box, so it can't widen the page. */}
      <div className="relative -mx-5 overflow-x-auto border-y border-slate-200 sm:mx-0 sm:rounded-lg sm:border-x">
        <table className="w-full text-left text-sm max-sm:block">
          <caption className="sr-only">
            {KIND_PLURALS[kind]}
          </caption>
          <thead className="bg-slate-50 text-xs font-medium tracking-wide text-slate-600 uppercase max-sm:hidden">
            <tr>
              {manage && (
                <th scope="col" className="w-10 py-2.5 pr-0 pl-4">
                  <input
                    type="checkbox"
                    aria-label={`Select all ${inSentence(KIND_PLURALS[kind])}`}
                    checked={picked === ids.length}
                    ref={(el) => {
                      if (el) el.indeterminate = picked > 0 && picked < ids.length;
                    }}
                    onChange={(e) => onToggle(ids, e.target.checked)}
                    className="size-4 accent-indigo-600"
                  />
                </th>
              )}
              <th scope="col" className="px-4 py-2.5">
                {kind === "ssh_key" ? "Fingerprint" : "Secret"}
              </th>
              <th scope="col" className="px-4 py-2.5">
                Status
              </th>
              <th scope="col" className="px-4 py-2.5">
                Created
              </th>
              <th scope="col" className="px-4 py-2.5">
                Expires
              </th>
              <th scope="col" className="px-4 py-2.5">
                Last used
              </th>
              {manage && (
                <th scope="col" className="px-4 py-2.5">
                  <span className="sr-only">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 max-sm:block">
            {rows.map((c) => (
              <tr
                key={c.id}
                id={`credential-${c.id}`}
                data-credential-id={c.id}
                aria-selected={manage ? selection.has(c.id) : undefined}
                className={`scroll-mt-24 target:bg-amber-50 hover:bg-slate-50 aria-selected:bg-indigo-50/60 max-sm:grid max-sm:px-5 max-sm:py-3 ${
                  manage ? "max-sm:grid-cols-[2rem_minmax(0,1fr)]" : "max-sm:grid-cols-[0_minmax(0,1fr)]"
                }`}
              >
                {manage && (
                  <td className="w-10 py-3 pr-0 pl-4 align-top max-sm:row-span-6 max-sm:p-0 max-sm:pt-0.5">
                    <input
                      type="checkbox"
                      aria-label={`Select ${c.display}`}
                      checked={selection.has(c.id)}
                      onChange={(e) => onToggle([c.id], e.target.checked)}
                      className="mt-0.5 size-4 accent-indigo-600"
                    />
                  </td>
                )}
                <CredentialCells credential={c} all={all} linkRotation={(id) => `#credential-${id}`} />
                {manage && (
                  <td className="py-2 pr-3 pl-0 text-right align-top whitespace-nowrap max-sm:col-start-2 max-sm:p-0 max-sm:pt-1.5">
                    <div className="flex justify-end gap-1 max-sm:-ml-2 max-sm:justify-start">
                      {c.kind !== "ssh_key" && (
                        <Button variant="ghost" size="sm" aria-label={`Rotate ${c.display}`} onClick={() => onRotate(c)}>
                          Rotate
                        </Button>
                      )}
                      <Button variant="dangerGhost" size="sm" aria-label={`Revoke ${c.display}`} onClick={() => onRevoke(c)}>
                        Revoke
                      </Button>
                    </div>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
