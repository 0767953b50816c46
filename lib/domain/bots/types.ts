/** A row of the bots table. */
export interface BotRow {
  id: string;
  name: string;
  active: boolean;
  /** Its credentials not revoked (working, expiring or expired). */
  credentialCount: number;
  /** Its revoked credentials, kept until the bot is deleted (which deletes them too). */
  revokedCredentialCount: number;
  /** This month so far (UTC): API requests, agent sessions, bytes in + out. */
  usage: { apiRequests: number; sessions: number; bandwidth: number };
  lastActivityAt: Date | null;
  createdAt: Date;
}

export interface BotDetail {
  id: string;
  name: string;
  active: boolean;
  createdAt: Date;
  createdBy: { id: string; name: string } | null;
  lastActivityAt: Date | null;
  /** What it is for, and who is responsible for it ("" when not said). */
  description: string;
  contact: string;
  /** Its revoked credentials (not listed; deleting the bot deletes them too). */
  revokedCredentialCount: number;
}
