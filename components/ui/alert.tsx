const TONES = {
  error: "border-red-200 bg-red-50 text-red-800",
  warning: "border-amber-200 bg-amber-50 text-amber-900",
  info: "border-sky-200 bg-sky-50 text-sky-900",
} as const;

export function Alert({
  tone = "error",
  children,
  ...props
}: React.HTMLAttributes<HTMLDivElement> & { tone?: keyof typeof TONES }) {
  return (
    <div role={tone === "error" ? "alert" : "status"} className={`rounded-md border px-4 py-3 text-sm break-words ${TONES[tone]}`} {...props}>
      {children}
    </div>
  );
}
