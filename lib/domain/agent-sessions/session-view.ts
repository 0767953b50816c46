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
  /** What the agent said in Auth: its host's name, the client id it had, its user agent (null when it said nothing). */
  hostname: string | null;
  clientId: string | null;
  userAgent: string | null;
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

/** What an agent that does not say its OS or architecture (an SSH client) has as both. */
export const UNKNOWN_PLATFORM = "unknown";

/** "linux/amd64", "linux" or null: the platform an agent reported, without the parts it did not. */
export function sessionPlatform(session: { os: string; arch: string }): string | null {
  const known = (v: string) => v !== "" && v !== UNKNOWN_PLATFORM;
  if (!known(session.os)) return null;
  return known(session.arch) ? `${session.os}/${session.arch}` : session.os;
}

/** The name a session has as an event's subject: "ngrok/v2 session (linux/amd64)", "ssh session". */
export function sessionSubjectName(session: { transport: string; os: string; arch: string }): string {
  const platform = sessionPlatform(session);
  return platform ? `${session.transport} session (${platform})` : `${session.transport} session`;
}
