/** A card's classes, for markup rendered outside React (components/developers/api-reference-html.ts). */
export const CARD_CLASS = "rounded-lg border border-slate-200 bg-white p-5 shadow-xs";

export function Card({ className = "", ...props }: React.HTMLAttributes<HTMLElement>) {
  return <section className={`${CARD_CLASS} ${className}`} {...props} />;
}
