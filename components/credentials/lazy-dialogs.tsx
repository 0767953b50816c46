"use client";

import { lazyDialog } from "@/components/lazy-dialog";

// Credential dialogs are not needed at first paint: loaded after the page (ssr: false renders nothing on
// the server), their code stays out of the first-load JS of /credentials, /settings and the bot page (issue 11).
export const CreateCredentialDialog = lazyDialog(() => import("./create-credential-dialog").then((m) => m.CreateCredentialDialog));
export const RevokeCredentialsDialog = lazyDialog(() => import("./revoke-dialog").then((m) => m.RevokeCredentialsDialog));
export const RotateCredentialDialog = lazyDialog(() => import("./rotate-dialog").then((m) => m.RotateCredentialDialog));
export const SecretOnceDialog = lazyDialog(() => import("./secret-once-dialog").then((m) => m.SecretOnceDialog));
