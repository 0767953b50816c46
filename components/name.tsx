/**
 * A user-supplied name (a bot's, a person's, an account's), shown so that it
 * cannot break the layout or the reading order: isolated with <bdi> (a
 * right-to-left override inside it stops at its end), wrapped anywhere (a
 * 255-character word cannot widen the page) and, with `clamp`, cut to two
 * lines with the full name on hover (title) and in the accessible text.
 */
export function Name({ name, clamp = false, className = "", testId }: { name: string; clamp?: boolean; className?: string; testId?: string }) {
  return (
    <bdi title={clamp ? name : undefined} data-testid={testId} className={`[overflow-wrap:anywhere] ${clamp ? "line-clamp-2" : ""} ${className}`}>
      {name}
    </bdi>
  );
}
