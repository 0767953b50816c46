/** A row of the bots table. */
export interface BotRow {
  id: string;
  name: string;
  active: boolean;
  credentialCount: number;
  lastActivityAt: Date | null;
  createdAt: Date;
}

/** A row of the people table (a membership of this account). */
export interface PersonRow {
  id: string;
  name: string;
  email: string;
  role: "owner" | "admin" | "member";
  /** Active only when both the person and their membership here are active. */
  active: boolean;
  lastSignInAt: Date | null;
}

export interface Page<T> {
  rows: T[];
  total: number;
  page: number;
  size: number;
  pageCount: number;
}

export interface BotDetail {
  id: string;
  name: string;
  active: boolean;
  createdAt: Date;
  createdBy: { id: string; name: string } | null;
  lastActivityAt: Date | null;
}
