"use client";

import { useState } from "react";
import { callAction } from "@/components/call-action";
import { ConfirmDialog } from "@/components/confirm-dialog";
import { Button } from "@/components/ui/button";
import { useToast } from "@/components/ui/toast";
import { stopTunnelSessionAction } from "../../actions";

/**
 * Stop on an online session of the bot's Sessions panel (owners and admins;
 * stopTunnelSession decides): asks first, then the session ends at once on
 * whichever instance holds it. The authtoken stays good: the agent may
 * connect again as a new session.
 */
export function StopSessionButton({ sessionId, endpoint }: { sessionId: string; endpoint: string | null }) {
  const [open, setOpen] = useState(false);
  const toast = useToast();
  return (
    <>
      <Button variant="secondary" size="sm" onClick={() => setOpen(true)} data-testid="stop-session">
        Stop
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        testId="stop-session-dialog"
        title="Stop this session?"
        confirmLabel="Stop session"
        pendingLabel="Stopping…"
        onConfirm={async () => {
          const result = await callAction(() => stopTunnelSessionAction({ id: sessionId }));
          if (!result.ok) return { ok: false, message: result.message };
          toast.success("Session stopped.");
          return { ok: true };
        }}
      >
        <p className="text-sm text-slate-600">
          The agent is disconnected now{endpoint ? <> and <code className="[overflow-wrap:anywhere]">{endpoint}</code> stops serving</> : null}. Its credential stays
          valid: the agent may connect again as a new session. To keep it out, revoke the credential or deactivate the bot.
        </p>
      </ConfirmDialog>
    </>
  );
}
