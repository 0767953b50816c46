"use client";

import { useActionState } from "react";
import { UNREACHABLE_MESSAGE } from "@/components/call-action";
import { Alert } from "@/components/ui/alert";
import { Button, SubmitButton } from "@/components/ui/button";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { useToast } from "@/components/ui/toast";
import { BOT_TEXT_MAX_BYTES } from "@/lib/validation/limits";
import { updateBotDetailsAction, type BotDetailsFormState } from "../../actions";

/** Edits a bot's description and contact (the owning team or person); the bot page shows them under its name. */
export function BotDetailsDialog({
  bot,
  open,
  onClose,
}: {
  bot: { id: string; description: string; contact: string };
  open: boolean;
  onClose: () => void;
}) {
  const toast = useToast();
  const [state, formAction] = useActionState<BotDetailsFormState, FormData>(
    async (prev, formData) => {
      let next: BotDetailsFormState;
      try {
        next = await updateBotDetailsAction(prev, formData);
      } catch (error) {
        console.error(error);
        next = { values: { description: String(formData.get("description") ?? ""), contact: String(formData.get("contact") ?? "") }, result: { ok: false, code: "unreachable", message: UNREACHABLE_MESSAGE } };
      }
      if (next.result?.ok) {
        toast.success("Details saved.");
        onClose();
      }
      return next;
    },
    { values: { description: bot.description, contact: bot.contact }, result: null },
  );
  const failure = state.result && !state.result.ok ? state.result : null;
  return (
    <Dialog open={open} onClose={onClose} title="Edit details" description="What this bot is for and who to ask about it." testId="bot-details-dialog">
      <form action={formAction} className="flex flex-col gap-4" noValidate>
        <input type="hidden" name="id" value={bot.id} />
        {failure && !failure.fieldErrors && <Alert data-testid="bot-details-error">{failure.message}</Alert>}
        <Field
          label="Description"
          name="description"
          defaultValue={state.values.description}
          error={failure?.fieldErrors?.description}
          autoComplete="off"
          hint={`One line, up to ${BOT_TEXT_MAX_BYTES} bytes. For example: deploys main to production from CI.`}
        />
        <Field
          label="Contact"
          name="contact"
          defaultValue={state.values.contact}
          error={failure?.fieldErrors?.contact}
          autoComplete="off"
          hint={`The owning team or person, up to ${BOT_TEXT_MAX_BYTES} bytes. For example: #platform-oncall or Ada Admin.`}
        />
        <DialogActions>
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <SubmitButton pendingLabel="Saving…">Save details</SubmitButton>
        </DialogActions>
      </form>
    </Dialog>
  );
}
