"use client";

import { lazyDialog } from "@/components/lazy-dialog";

// The dialogs of /users and the bot page are not needed at first paint: loaded after the page
// (rendered on the client only, see components/lazy-dialog.tsx), their code stays out of the first-load JS (issue 11).
// A closed dialog renders nothing visible, so nothing changes on screen when one arrives.
export const CreateBotDialog = lazyDialog(() => import("./bot-dialogs").then((m) => m.CreateBotDialog));
export const RenameBotDialog = lazyDialog(() => import("./bot-dialogs").then((m) => m.RenameBotDialog));
export const DeleteBotsDialog = lazyDialog(() => import("./bot-dialogs").then((m) => m.DeleteBotsDialog));
export const SetBotsActiveDialog = lazyDialog(() => import("./bot-dialogs").then((m) => m.SetBotsActiveDialog));
export const AddPersonDialog = lazyDialog(() => import("./person-dialogs").then((m) => m.AddPersonDialog));
export const RemovePersonDialog = lazyDialog(() => import("./person-dialogs").then((m) => m.RemovePersonDialog));
export const DeactivatePersonDialog = lazyDialog(() => import("./person-dialogs").then((m) => m.DeactivatePersonDialog));
export const ResetPasswordDialogs = lazyDialog(() => import("./reset-password-dialog").then((m) => m.ResetPasswordDialogs));
export const ResetTwoFactorDialog = lazyDialog(() => import("./reset-two-factor-dialog").then((m) => m.ResetTwoFactorDialog));
export const BotDetailsDialog = lazyDialog(() => import("./bots/[id]/bot-details-dialog").then((m) => m.BotDetailsDialog));
