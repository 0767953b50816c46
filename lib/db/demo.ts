/** The demo account's people (no imports: the launcher reads these without loading the seed code). */
export const DEMO_ADMIN_EMAIL = "admin@example.com";
export const DEMO_MEMBER_EMAIL = "member@example.com";
