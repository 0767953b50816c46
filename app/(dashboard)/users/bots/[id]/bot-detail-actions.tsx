"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import type { BotRef } from "../../bot-dialogs";
import { DeleteBotsDialog, RenameBotDialog } from "../../lazy-dialogs";
import { ToggleBotActiveButton } from "../../row-controls";

/** The same actions as a row of the bots table, for the bot's own page. */
export function BotDetailActions({ bot }: { bot: BotRef }) {
  const router = useRouter();
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  return (
    <div className="flex flex-wrap gap-2">
      <Button variant="secondary" onClick={() => setRenaming(true)}>
        Rename
      </Button>
      <ToggleBotActiveButton bot={bot} />
      <Button variant="danger" onClick={() => setDeleting(true)}>
        Delete
      </Button>
      <RenameBotDialog bot={renaming ? bot : null} onClose={() => setRenaming(false)} />
      <DeleteBotsDialog bots={deleting ? [bot] : null} onClose={() => setDeleting(false)} onDeleted={() => router.replace("/users")} />
    </div>
  );
}
