"use client";

import { Name } from "@/components/name";
import { callAction } from "@/components/call-action";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { plural } from "@/components/format";
import { useToast } from "@/components/ui/toast";
import type { CredentialView } from "@/lib/domain/credentials/credential-view";
import type { CredentialActions } from "./form-state";
import { KIND_LABELS, inSentence } from "./labels";

/** Asks before revoking one or several credentials; anything using them is refused from the next request on. */
export function RevokeCredentialsDialog({
  revoke,
  credentials,
  onClose,
  onRevoked,
}: {
  /** The revoke server action (app/(dashboard)/credentials/actions.ts). */
  revoke: CredentialActions["revoke"];
  credentials: CredentialView[] | null;
  onClose: () => void;
  onRevoked?: () => void;
}) {
  const toast = useToast();
  const list = credentials ?? [];
  const single = list.length === 1 ? list[0]! : null;
  const n = plural(list.length, "credential", "credentials");
  return (
    <ConfirmDialog
      open={list.length > 0}
      onClose={onClose}
      testId="revoke-credentials-dialog"
      title={single ? `Revoke ${inSentence(KIND_LABELS[single.kind])} ${single.display}?` : `Revoke ${n}?`}
      confirmLabel={single ? "Revoke" : `Revoke ${n}`}
      pendingLabel="Revoking…"
      onConfirm={async () => {
        const result = await callAction(() => revoke({ ids: list.map((c) => c.id) }));
        if (!result.ok) {
          toast.error(`Nothing was revoked: ${result.message}`);
          return { ok: false, message: result.message };
        }
        toast.success(single ? `Revoked ${single.display}.` : `Revoked ${plural(result.data.count, "credential", "credentials")}.`);
        onRevoked?.();
        return { ok: true };
      }}
    >
      {!single && (
        <ul className="max-h-40 list-disc overflow-y-auto pl-5 font-mono text-xs">
          {list.map((c) => (
            <li key={c.id} className="break-all">
              {c.display}
              {c.description && <span className="font-sans text-slate-600"> · {c.description}</span>}
            </li>
          ))}
        </ul>
      )}
      {single?.description && <p className="break-words">“{single.description}”, owned by <Name name={single.owner.name} />.</p>}
      <p>
        Anything using {list.length === 1 ? "it" : "them"} is refused from the next request on. This can&apos;t be undone.
      </p>
    </ConfirmDialog>
  );
}

