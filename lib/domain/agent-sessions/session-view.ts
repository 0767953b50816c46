/** A tunnel session as lists, the API and the bot page's panel show it. */
export interface TunnelSessionView {
  id: string;
  principal: { id: string; name: string; kind: "person" | "bot" };
  credential: { id: string; display: string };
  transport: string;
  /** Null when the viewer may not see the owner's IP (members see only their own). */
  ip: string | null;
  agentVersion: string;
  os: string;
  arch: string;
  metadata: string;
  region: string;
  startedAt: Date;
  lastHeartbeatAt: Date;
  endedAt: Date | null;
  endReason: string | null;
  bytesIn: number;
  bytesOut: number;
  requests: number;
  endpoints: { id: string; url: string | null; hostname: string | null; labels: Record<string, string>; createdAt: Date; endedAt: Date | null }[];
}

/** The name a session has as an event's subject. */
export function sessionSubjectName(session: { transport: string; os: string; arch: string }): string {
  return `${session.transport} session (${session.os}/${session.arch})`;
}
