export function Card({ className = "", ...props }: React.HTMLAttributes<HTMLElement>) {
  return <section className={`rounded-lg border border-slate-200 bg-white p-5 shadow-xs ${className}`} {...props} />;
}
