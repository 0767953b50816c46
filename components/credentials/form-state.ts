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

/** What a rotation returns: the new credential, its secret (shown once) and the old one's last moment. */
export interface RotatedCredential {
  credential: CredentialView;
  token: string;
  previous: { id: string; expiresAt: Date };
}

/**
 * The server actions the credential components call. They live in app/ (every
 * server action is a route); a page passes them in, so components never import app/.
 */
export interface CredentialActions {
  create: (prev: CreateCredentialState, formData: FormData) => Promise<CreateCredentialState>;
  rotate: (input: { id: string; grace: string }) => Promise<Result<RotatedCredential>>;
  revoke: (input: { ids: string[] }) => Promise<Result<{ count: number; ownerIds: string[] }>>;
}
