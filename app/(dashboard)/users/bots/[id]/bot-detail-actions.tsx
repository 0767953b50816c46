"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import type { BotRef } from "../../bot-dialogs";
import { BotDetailsDialog, DeleteBotsDialog, RenameBotDialog } from "../../lazy-dialogs";
import { ToggleBotActiveButton } from "../../row-controls";

/** The same actions as a row of the bots table, for the bot's own page. */
export function BotDetailActions({ bot, details }: { bot: BotRef; details: { description: string; contact: string } }) {
  const router = useRouter();
  const [renaming, setRenaming] = useState(false);
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  return (
    <div className="flex flex-wrap gap-2">
      <Button variant="secondary" onClick={() => setRenaming(true)}>
        Rename
      </Button>
      <Button variant="secondary" onClick={() => setEditing(true)}>
        Edit details
      </Button>
      <ToggleBotActiveButton bot={bot} />
      <Button variant="danger" onClick={() => setDeleting(true)}>
        Delete
      </Button>
      {/* Mounted while open only, so it starts from the saved details each time. */}
      {editing && <BotDetailsDialog bot={{ id: bot.id, ...details }} open onClose={() => setEditing(false)} />}
      <RenameBotDialog bot={renaming ? bot : null} onClose={() => setRenaming(false)} />
      <DeleteBotsDialog bots={deleting ? [bot] : null} onClose={() => setDeleting(false)} onDeleted={() => router.replace("/users")} />
    </div>
  );
}
