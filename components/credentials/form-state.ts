import type { CredentialView } from "@/lib/domain/credentials/credential-view";
import type { Result } from "@/lib/domain/result";

/** What the create form sent, returned so React's reset after the action refills the fields. */
export interface CredentialFormValues {
  kind: string;
  ownerId: string;
  description: string;
  metadata: string;
  acl: string;
  publicKey: string;
  expiry: string;
  expiresOn: string;
}

export const EMPTY_CREDENTIAL_VALUES: CredentialFormValues = {
  kind: "",
  ownerId: "",
  description: "",
  metadata: "",
  acl: "",
  publicKey: "",
  expiry: "never",
  expiresOn: "",
};

export interface CreateCredentialState {
  values: CredentialFormValues;
  result: Result<{ credential: CredentialView; token: string | null }> | null;
}

/** A secret to show once: it lives in client state only until its dialog closes. */
export interface RevealedSecret {
  token: string;
  credential: CredentialView;
  /** Set after a rotation: the old credential and when it stops working. */
  previous?: { id: string; expiresAt: Date };
}
