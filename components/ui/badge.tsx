const TONES = {
  red: "bg-red-50 text-red-800 ring-red-600/20",
  green: "bg-emerald-50 text-emerald-800 ring-emerald-600/20",
  gray: "bg-slate-100 text-slate-700 ring-slate-500/20",
  amber: "bg-amber-50 text-amber-900 ring-amber-600/20",
  indigo: "bg-indigo-50 text-indigo-800 ring-indigo-600/20",
} as const;

export function Badge({ tone = "gray", children, ...props }: React.HTMLAttributes<HTMLSpanElement> & { tone?: keyof typeof TONES }) {
  return (
    <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ring-1 ring-inset ${TONES[tone]}`} {...props}>
      {children}
    </span>
  );
}

/** Active / deactivated, the same everywhere a bot or person shows its status. */
export function StatusBadge({ active }: { active: boolean }) {
  return <Badge tone={active ? "green" : "gray"}>{active ? "Active" : "Deactivated"}</Badge>;
}
