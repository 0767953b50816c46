// The looks are app/globals.css's `.badge` rules: two classes, not ~130 characters of utilities on every badge.
type Tone = "red" | "green" | "gray" | "amber" | "indigo";

export function Badge({ tone = "gray", children, ...props }: React.HTMLAttributes<HTMLSpanElement> & { tone?: Tone }) {
  return (
    <span className={`badge badge-${tone}`} {...props}>
      {children}
    </span>
  );
}

/** Active / deactivated, the same everywhere a bot or person shows its status. */
export function StatusBadge({ active }: { active: boolean }) {
  return <Badge tone={active ? "green" : "gray"}>{active ? "Active" : "Deactivated"}</Badge>;
}
