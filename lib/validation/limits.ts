/**
 * Limits shared by forms (client components) and validation. No zod here: a
 * client component importing a constant from a module that imports zod ships zod.
 */
export const BOT_NAME_MAX_BYTES = 255;
/** Most items one bulk action may change. */
export const BULK_MAX = 100;
export const PAGE_SIZES = [10, 25, 50, 100] as const;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;
/** A credential's description and metadata, as ngrok limits them. */
export const DESCRIPTION_MAX_BYTES = 255;
export const METADATA_MAX_BYTES = 4096;
export const ACL_MAX_RULES = 100;
export const PUBLIC_KEY_MAX_LENGTH = 16_384;
/** An account's name; its seat limit; any monthly quota. */
export const ACCOUNT_NAME_MAX_BYTES = 255;
export const SEAT_LIMIT_MAX = 100_000;
export const QUOTA_MAX = 1_000_000_000_000;

/** A bot's description and contact, each (bytes, UTF-8). */
export const BOT_TEXT_MAX_BYTES = 255;
