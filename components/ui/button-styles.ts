const VARIANTS = {
  primary: "bg-indigo-600 text-white hover:bg-indigo-700 disabled:bg-indigo-400",
  secondary: "border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 disabled:text-slate-400",
  danger: "bg-red-600 text-white hover:bg-red-700 disabled:bg-red-400",
  ghost: "text-slate-700 hover:bg-slate-100 disabled:text-slate-400",
  dangerGhost: "text-red-700 hover:bg-red-50 disabled:text-red-300",
} as const;

export type ButtonVariant = keyof typeof VARIANTS;

/** Button styling, usable from server components (links that look like buttons) and client ones. */
export function buttonClass(variant: ButtonVariant = "primary", extra = ""): string {
  return `inline-flex min-h-10 items-center justify-center gap-2 rounded-md px-4 py-2 text-sm font-medium transition-colors disabled:cursor-not-allowed ${VARIANTS[variant]} ${extra}`;
}
