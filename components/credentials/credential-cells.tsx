import { formatDate, formatDateTime, formatTimeOfDay } from "@/components/format";
import { useTimeZone } from "@/components/time-zone";
import { Timestamp } from "@/components/timestamp";
import { Name } from "@/components/name";
import type { CredentialStatus, CredentialView } from "@/lib/domain/credentials/credential-view";
import { CredentialStatusBadge } from "./status-badge";

/**
 * The masked secret (or SSH fingerprint), the description, and the rotation
 * link: "Replaces …" on a rotated credential and "Replaced by …" on the one it
 * replaced, when both are in `all`.
 */
export function CredentialSummary({
  credential: c,
  all,
  linkRotation,
}: {
  credential: CredentialView;
  all: CredentialView[];
  /** Where a mention of another listed credential links to; omitted: plain text. */
  linkRotation?: (id: string) => string;
}) {
  const previous = c.rotatedFromId ? all.find((x) => x.id === c.rotatedFromId) : undefined;
  const next = all.find((x) => x.rotatedFromId === c.id);
  const mention = (other: CredentialView) =>
    linkRotation ? (
      <a href={linkRotation(other.id)} className="font-mono text-indigo-700 hover:underline">
        {other.display}
      </a>
    ) : (
      <span className="font-mono">{other.display}</span>
    );
  return (
    <div className="flex min-w-0 flex-col gap-0.5">
      <code className="text-[13px] font-medium break-all text-slate-900" data-testid="credential-display">
        {c.display}
      </code>
      {/* User-supplied: isolated, cut to two lines, in full on hover (like a name). */}
      {c.description && <Name name={c.description} clamp className="max-w-xs text-slate-600" testId="credential-description" />}
      {c.acl.length > 0 && (
        <span className="max-w-xs truncate text-xs text-slate-500" title={c.acl.join("\n")}>
          ACL: {c.acl.join(", ")}
        </span>
      )}
      {c.rotatedFromId && (
        <span className="text-xs text-slate-500" data-testid="rotated-from">
          Replaces {previous ? mention(previous) : <span className="font-mono">{c.rotatedFromId}</span>}
          {!previous && " (no longer active)"}
        </span>
      )}
      {next && (
        <span className="text-xs text-slate-500" data-testid="replaced-by">
          Replaced by {mention(next)}
        </span>
      )}
    </div>
  );
}

/** "Never", a date, and for an expiring or expired one the time below it (a rotation's grace period can be an hour). */
export function ExpiresText({ expiresAt, status }: { expiresAt: Date | null; status: CredentialStatus }) {
  const zone = useTimeZone();
  if (!expiresAt) return <span className="text-slate-500">Never</span>;
  const soon = status === "expiring" || status === "expired";
  return (
    <time dateTime={expiresAt.toISOString()} title={expiresAt.toISOString()} className="inline-flex flex-col sm:flex">
      <span>{formatDate(expiresAt, zone)}</span>
      {soon && <span className="text-xs text-slate-500">{formatTimeOfDay(expiresAt, zone)}</span>}
    </time>
  );
}

/**
 * When and from where a credential was last used ("Never" otherwise), as
 * stored: verifyCredential writes the time and the client's IP at most once a
 * minute, so the time is right to the minute and the IP is that of the use
 * recorded then. The IP is absent when the viewer may not see it or none was known.
 */
export function LastUsedText({ at, ip }: { at: Date | null; ip: string | null }) {
  const zone = useTimeZone();
  if (!at) return <span className="text-slate-500">Never</span>;
  const recorded = `Last use recorded ${formatDateTime(at, zone)}${ip ? ` from ${ip}` : ""}. Uses are recorded at most once a minute.`;
  return (
    <span className="inline-flex flex-col sm:flex" title={recorded} data-testid="last-used">
      <time dateTime={at.toISOString()}>{formatDate(at, zone)}</time>
      <span className="text-xs text-slate-500">{formatTimeOfDay(at, zone)}</span>
      {ip && <span className="font-mono text-xs text-slate-500">{ip}</span>}
    </span>
  );
}

// Below the sm breakpoint the panel's table turns into stacked rows: these cells drop their
// padding, sit in the second grid column and name themselves.
const STACK = "max-sm:col-start-2 max-sm:flex max-sm:items-baseline max-sm:gap-1.5 max-sm:p-0 max-sm:py-0.5";
const MOBILE_LABEL = "text-xs text-slate-500 sm:hidden";

/** A credential's cells after the checkbox: summary, status, created, expires, last used. */
export function CredentialCells({
  credential: c,
  all,
  linkRotation,
}: {
  credential: CredentialView;
  all: CredentialView[];
  linkRotation?: (id: string) => string;
}) {
  return (
    <>
      <td className="px-4 py-3 align-top max-sm:col-start-2 max-sm:p-0 max-sm:pb-1.5 sm:min-w-56">
        <CredentialSummary credential={c} all={all} linkRotation={linkRotation} />
      </td>
      <td className={`px-4 py-3 align-top ${STACK}`} data-testid="credential-status">
        <CredentialStatusBadge status={c.status} />
      </td>
      <td className={`px-4 py-3 align-top whitespace-nowrap ${STACK}`}>
        <span className={MOBILE_LABEL}>Created</span>
        <Timestamp at={c.createdAt} dateOnly />
      </td>
      <td className={`px-4 py-3 align-top whitespace-nowrap ${STACK}`}>
        <span className={MOBILE_LABEL}>Expires</span>
        <ExpiresText expiresAt={c.expiresAt} status={c.status} />
      </td>
      <td className={`px-4 py-3 align-top whitespace-nowrap ${STACK}`}>
        <span className={MOBILE_LABEL}>Last used</span>
        <LastUsedText at={c.lastUsedAt} ip={c.lastUsedIp} />
      </td>
    </>
  );
}
