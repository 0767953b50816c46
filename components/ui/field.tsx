import { useId } from "react";

const CONTROL =
  "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-xs placeholder:text-slate-400 aria-invalid:border-red-500";

interface ShellProps {
  label: string;
  error?: string;
  hint?: React.ReactNode;
}

/**
 * The label, error and hint around any form control, wired for screen readers:
 * the control gets its id, aria-invalid and aria-describedby from here.
 */
function FieldShell({
  label,
  error,
  hint,
  control,
}: ShellProps & { control: (a11y: { id: string; "aria-invalid"?: true; "aria-describedby"?: string }) => React.ReactNode }) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        {label}
      </label>
      {control({ id, "aria-invalid": error ? true : undefined, "aria-describedby": describedBy })}
      {error && (
        <p id={errorId} className="text-sm break-words text-red-700">
          {error}
        </p>
      )}
      {hint && (
        <p id={hintId} className="text-xs text-slate-500">
          {hint}
        </p>
      )}
    </div>
  );
}

/** A labelled input with its error (and optional hint) below it. */
export function Field({ label, error, hint, ...input }: React.InputHTMLAttributes<HTMLInputElement> & ShellProps & { name: string }) {
  return <FieldShell label={label} error={error} hint={hint} control={(a11y) => <input className={`min-h-10 ${CONTROL}`} {...a11y} {...input} />} />;
}

/** A labelled native select with its error below it. */
export function SelectField({
  label,
  error,
  hint,
  children,
  ...select
}: React.SelectHTMLAttributes<HTMLSelectElement> & ShellProps & { name: string }) {
  return (
    <FieldShell
      label={label}
      error={error}
      hint={hint}
      control={(a11y) => (
        <select className={`min-h-10 ${CONTROL}`} {...a11y} {...select}>
          {children}
        </select>
      )}
    />
  );
}

/** A labelled textarea with its error and hint below it. */
export function TextareaField({
  label,
  error,
  hint,
  className = "",
  ...textarea
}: React.TextareaHTMLAttributes<HTMLTextAreaElement> & ShellProps & { name: string }) {
  return (
    <FieldShell
      label={label}
      error={error}
      hint={hint}
      control={(a11y) => <textarea className={`min-h-20 ${CONTROL} ${className}`} {...a11y} {...textarea} />}
    />
  );
}
