/** A row of the bots table. */
export interface BotRow {
  id: string;
  name: string;
  active: boolean;
  credentialCount: number;
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
}
