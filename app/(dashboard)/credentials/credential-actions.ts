import type { CredentialActions } from "@/components/credentials/form-state";
import { createCredentialAction, revokeCredentialsAction, rotateCredentialAction } from "./actions";

/** The credential server actions, as the credential components take them (a "use server" file exports functions only). */
export const credentialActions: CredentialActions = {
  create: createCredentialAction,
  rotate: rotateCredentialAction,
  revoke: revokeCredentialsAction,
};
