// The looks are app/globals.css's `.btn` rules: one class per part, not ~180 characters of utilities on every button.
export type ButtonVariant = "primary" | "secondary" | "danger" | "ghost" | "dangerGhost";
// Sizes are alternatives, never overrides.
export type ButtonSize = "md" | "sm";

/** Button styling, usable from server components (links that look like buttons) and client ones. */
export function buttonClass(variant: ButtonVariant = "primary", extra = "", size: ButtonSize = "md"): string {
  return extra ? `btn btn-${size} btn-${variant} ${extra}` : `btn btn-${size} btn-${variant}`;
}
