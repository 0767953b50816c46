/** Names of credential kinds, for pages and events (no server-only imports: client components use it too). */
export const KIND_LABELS = { authtoken: "Authtoken", api_key: "API key", ssh_key: "SSH key" } as const;
