/**
 * Text typed into a filter, made literal for Prisma's `contains` (a LIKE
 * pattern): `%`, `_` and `\` match only themselves.
 */
export function literalContains(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
