/** Botdesk's mark and name. An SVG, so it renders the same without emoji fonts. */
export function Logo({ className = "" }: { className?: string }) {
  return (
    <span className={`inline-flex items-center gap-2 font-semibold tracking-tight ${className}`}>
      <svg viewBox="0 0 24 24" aria-hidden="true" className="size-6 text-indigo-600" fill="none" stroke="currentColor" strokeWidth="1.8">
        <rect x="4" y="7" width="16" height="12" rx="3" />
        <path d="M12 3v4M9 12h.01M15 12h.01M9.5 15.5h5" strokeLinecap="round" />
      </svg>
      Botdesk
    </span>
  );
}
