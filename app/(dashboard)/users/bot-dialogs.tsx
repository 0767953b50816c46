"use client";

import { Name } from "@/components/name";
import { useActionState } from "react";
import { useRouter } from "next/navigation";
import { callAction, UNREACHABLE_MESSAGE } from "@/components/call-action";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { Alert } from "@/components/ui/alert";
import { Button, SubmitButton } from "@/components/ui/button";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { BOT_NAME_MAX_BYTES } from "@/lib/validation/limits";
import { createBotAction, deleteBotsAction, renameBotAction, setBotsActiveAction, type BotFormState } from "./actions";
import { pick, plural } from "@/components/format";
import { SessionsEffect, useDeactivationImpact } from "./deactivation-impact";

/** What the bot dialogs need to know about a bot. */
export interface BotRef {
  id: string;
  name: string;
  active: boolean;
  /** Its credentials not revoked: deleting revokes them, deactivating suspends them. */
  credentialCount: number;
  /** Its already revoked credentials, which a delete removes too (unknown: 0). */
  revokedCredentialCount?: number;
}

/** Creates a bot, then opens its page, which offers the next step: its first credential. */
export function CreateBotDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const router = useRouter();
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Create a bot"
      description="A bot user owns credentials for one integration. It never signs in and never uses a seat."
      testId="create-bot-dialog"
    >
      <BotNameForm
        action={createBotAction}
        submitLabel="Create bot"
        pendingLabel="Creating…"
        onCancel={onClose}
        onDone={(bot) => {
          onClose();
          router.push(`/users/bots/${encodeURIComponent(bot.id)}?created=1`);
        }}
      />
    </Dialog>
  );
}

export function RenameBotDialog({ bot, onClose }: { bot: BotRef | null; onClose: () => void }) {
  const toast = useToast();
  return (
    <Dialog open={bot !== null} onClose={onClose} title={bot ? <>Rename <Name name={bot.name} /></> : "Rename bot"} testId="rename-bot-dialog">
      {bot && (
        <BotNameForm
          action={renameBotAction}
          botId={bot.id}
          initialName={bot.name}
          submitLabel="Rename"
          pendingLabel="Renaming…"
          onCancel={onClose}
          onDone={(renamed) => {
            toast.success(
              renamed.name === bot.name ? (
                "The name is unchanged."
              ) : (
                <>
                  Renamed <Name name={bot.name} /> to <Name name={renamed.name} />.
                </>
              ),
            );
            onClose();
          }}
        />
      )}
    </Dialog>
  );
}

function BotNameForm({
  action,
  botId,
  initialName = "",
  submitLabel,
  pendingLabel,
  onCancel,
  onDone,
}: {
  action: (prev: BotFormState, formData: FormData) => Promise<BotFormState>;
  botId?: string;
  initialName?: string;
  submitLabel: string;
  pendingLabel: string;
  onCancel: () => void;
  onDone: (bot: { id: string; name: string }) => void;
}) {
  const [state, formAction] = useActionState<BotFormState, FormData>(
    async (prev, formData) => {
      let next: BotFormState;
      try {
        next = await action(prev, formData);
      } catch (error) {
        console.error(error);
        next = { values: { name: String(formData.get("name") ?? "") }, result: { ok: false, code: "unreachable", message: UNREACHABLE_MESSAGE } };
      }
      if (next.result?.ok) onDone(next.result.data);
      return next;
    },
    { values: { name: initialName }, result: null },
  );
  const failure = state.result && !state.result.ok ? state.result : null;
  const nameError = failure?.fieldErrors?.name;
  return (
    <form action={formAction} className="flex flex-col gap-4" noValidate>
      {botId && <input type="hidden" name="id" value={botId} />}
      {failure && !nameError && <Alert data-testid="bot-form-error">{failure.message}</Alert>}
      <Field
        label="Name"
        name="name"
        defaultValue={state.values.name}
        error={nameError}
        autoComplete="off"
        spellCheck={false}
        hint={`Unique in this account (ignoring case and look-alike characters), up to ${BOT_NAME_MAX_BYTES} bytes, no @. For example ci-deployer.`}
      />
      <DialogActions>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
        <SubmitButton pendingLabel={pendingLabel}>{submitLabel}</SubmitButton>
      </DialogActions>
    </form>
  );
}

/** Deletes one bot (type its name to confirm) or several (type their number or "delete"). */
export function DeleteBotsDialog({ bots, onClose, onDeleted }: { bots: BotRef[] | null; onClose: () => void; onDeleted?: () => void }) {
  const toast = useToast();
  const list = bots ?? [];
  const single = list.length === 1 ? list[0]! : null;
  const credentials = list.reduce((n, b) => n + b.credentialCount, 0);
  const alreadyRevoked = list.reduce((n, b) => n + (b.revokedCredentialCount ?? 0), 0);
  const count = list.length;
  return (
    <ConfirmDialog
      open={bots !== null && count > 0}
      onClose={onClose}
      testId="delete-bots-dialog"
      title={single ? <>Delete <Name name={single.name} />?</> : `Delete ${count} bots?`}
      confirmLabel={single ? "Delete bot" : `Delete ${count} bots`}
      pendingLabel="Deleting…"
      typeToConfirm={
        single
          ? {
              label: (
                <>
                  Type the bot&apos;s name, <strong className="font-mono"><Name name={single.name} /></strong>, to confirm
                </>
              ),
              accept: [single.name],
            }
          : {
              label: <>Type <strong>{count}</strong> or <strong>delete</strong> to confirm</>,
              accept: [String(count), "delete"],
              caseInsensitive: true,
            }
      }
      onConfirm={async () => {
        const result = await callAction(() => deleteBotsAction({ ids: list.map((b) => b.id) }));
        if (!result.ok) return { ok: false, message: result.message };
        const what = single ? <Name name={single.name} /> : plural(result.data.count, "bot", "bots");
        toast.success(
          <>
            Deleted {what}
            {deletedCredentialsText(result.data.credentialsDeleted, result.data.credentialsRevoked)}.
          </>,
        );
        onDeleted?.();
        return { ok: true };
      }}
    >
      {!single && <BotNames bots={list} />}
      <p>
        This can&apos;t be undone.{" "}
        {credentials > 0
          ? `${plural(credentials, "credential", "credentials")} will be revoked and deleted at once, so anything using ${pick(credentials, "it", "them")} stops working.`
          : single
            ? "It has no working credentials."
            : "They have no working credentials."}
        {alreadyRevoked > 0 && ` ${plural(alreadyRevoked, "already revoked credential is", "already revoked credentials are")} deleted too.`}
      </p>
      <p>Past activity stays in the log, marked “(deleted)”, and the {single ? "name becomes" : "names become"} free to reuse.</p>
    </ConfirmDialog>
  );
}

/** Deactivates or reactivates bots after one confirmation, saying how many credentials stop working. */
export function SetBotsActiveDialog({
  request,
  onClose,
  onDone,
}: {
  request: { bots: BotRef[]; active: boolean } | null;
  onClose: () => void;
  onDone?: () => void;
}) {
  const toast = useToast();
  const bots = request?.bots ?? [];
  const active = request?.active ?? false;
  const single = bots.length === 1 ? bots[0]! : null;
  const n = single ? <Name name={single.name} /> : plural(bots.length, "bot", "bots");
  // Deactivating: the server counts what stops (working credentials, live agent sessions) as the dialog opens;
  // until then the row's count of unrevoked credentials stands in.
  const open = request !== null && bots.length > 0;
  const impact = useDeactivationImpact(open && !active ? bots.map((b) => b.id) : null);
  const credentials = typeof impact === "object" ? impact.credentials : bots.reduce((sum, b) => sum + b.credentialCount, 0);
  return (
    <ConfirmDialog
      open={open}
      onClose={onClose}
      testId="set-bots-active-dialog"
      title={active ? <>Reactivate {n}?</> : <>Deactivate {n}?</>}
      confirmLabel={single ? (active ? "Reactivate" : "Deactivate") : `${active ? "Reactivate" : "Deactivate"} ${plural(bots.length, "bot", "bots")}`}
      pendingLabel={active ? "Reactivating…" : "Deactivating…"}
      variant={active ? "primary" : "danger"}
      onConfirm={async () => {
        const result = await callAction(() => setBotsActiveAction({ ids: bots.map((b) => b.id), active }));
        if (!result.ok) return { ok: false, message: result.message };
        toast.success(<>{setActiveText(active, single ? <Name name={single.name} /> : null, result.data)}</>);
        onDone?.();
        return { ok: true };
      }}
    >
      {!single && <BotNames bots={bots} />}
      <p data-testid="set-bots-active-effect">
        {active
          ? credentials > 0
            ? `${plural(credentials, "credential", "credentials")} ${pick(credentials, "works", "work")} again at once.`
            : "Nothing else changes."
          : credentials > 0
            ? `${plural(credentials, "credential", "credentials")} ${pick(credentials, "stops", "stop")} working at once, so anything using ${pick(credentials, "it", "them")} is refused until you reactivate ${single ? "it" : "them"}. Nothing is deleted.`
            : `${single ? "It has" : "They have"} no working credentials, so none stops working. Nothing is deleted.`}
      </p>
      {!active && <SessionsEffect impact={impact} testId="set-bots-active-sessions" />}
    </ConfirmDialog>
  );
}

function BotNames({ bots }: { bots: BotRef[] }) {
  const shown = bots.slice(0, 5);
  return (
    <p className="break-words">
      <span className="font-medium">
        {shown.map((b, i) => (
          <span key={b.id}>
            {i > 0 && ", "}
            <Name name={b.name} />
          </span>
        ))}
      </span>
      {bots.length > shown.length && ` and ${bots.length - shown.length} more`}
    </p>
  );
}

/** " and 5 credentials (4 revoked now, 1 already revoked)", " and 2 credentials", or "" for none. */
function deletedCredentialsText(deleted: number, revokedNow: number): string {
  if (deleted === 0) return "";
  const already = deleted - revokedNow;
  return already === 0
    ? ` and ${plural(deleted, "credential", "credentials")}`
    : ` and ${plural(deleted, "credential", "credentials")} (${revokedNow} revoked now, ${already} already revoked)`;
}

/**
 * "Deactivated ci-deployer.", "Deactivated 3 bots.", or "Deactivated 2 bots; 1 was already deactivated."
 * The count is what changed, never just what was selected.
 */
function setActiveText(active: boolean, single: React.ReactNode | null, data: { count: number; changed: number }): React.ReactNode {
  const verb = active ? "Reactivated" : "Deactivated";
  const state = active ? "active" : "deactivated";
  if (single) return data.changed === 0 ? <>{single} was already {state}.</> : <>{verb} {single}.</>;
  const unchanged = data.count - data.changed;
  if (data.changed === 0) return `All ${data.count} bots were already ${state}.`;
  return unchanged === 0
    ? `${verb} ${plural(data.changed, "bot", "bots")}.`
    : `${verb} ${plural(data.changed, "bot", "bots")}; ${plural(unchanged, "was", "were")} already ${state}.`;
}
