import unhomoglyph from "unhomoglyph";

/**
 * When two bot names count as the same name: the keys a live bot's name is
 * unique under in its account (each a unique index, so two racing creates
 * cannot both win). Server-only: the confusables table is 100 kB.
 *
 * The data is Unicode's own: confusables.txt of UTS #39 (in the unhomoglyph
 * package, pinned: it maps each confusable character to its prototype), and
 * NFKC and Default_Ignorable_Code_Point from the JavaScript engine's ICU. See
 * docs/security.md for why this package and what its data version misses.
 */

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * UTS #39's skeleton (section 4): NFD, default-ignorable code points removed,
 * each character replaced by its prototype from confusables.txt, NFD again.
 * Two strings with the same skeleton look alike; a skeleton is never shown.
 */
export function skeleton(text: string): string {
  return unhomoglyph(text.normalize("NFD").replace(IGNORABLE, "")).normalize("NFD");
}

/**
 * A skeleton that also folds compatibility forms (NFKC: fullwidth ｐ, ligatures,
 * superscripts), which confusables.txt leaves to normalisation; the skeleton
 * comes first, so a character NFKC would turn into another (lunate ϲ into ς)
 * is mapped to its prototype (c) before.
 */
function fold(text: string): string {
  return skeleton(skeleton(text).normalize("NFKC"));
}

export interface BotNameKeys {
  /** lower(name): for search and sorting, and unique as it always was. */
  nameKey: string;
  /** The folded skeleton, then lower-cased: `paypaI` (capital i) and `PАYPAL` (Cyrillic А) are `paypal`. */
  nameSkeleton: string;
  /** The folded skeleton of the lower-cased name: `Іnfo` (Cyrillic І, whose small і looks like i) is `info`. */
  nameSkeletonLower: string;
}

/**
 * The keys of a (normalised: lib/validation/text.ts) bot name. What looks
 * alike depends on case (capital I and small l do; small i and small l do
 * not), while names ignore case, so look-alikes are compared both ways round:
 * skeleton then case, and case then skeleton. Either key taken makes the name
 * taken.
 */
export function botNameKeys(name: string): BotNameKeys {
  const lower = name.toLowerCase();
  // Lower-casing a prototype can make a letter that has one itself (M → m, whose prototype is rn): fold again.
  return { nameKey: lower, nameSkeleton: fold(fold(name).toLowerCase()), nameSkeletonLower: fold(lower) };
}
