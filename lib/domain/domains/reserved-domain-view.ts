/** A reserved domain as the API and the Settings page show it. */
export interface ReservedDomainView {
  id: string;
  /** `app.example.com` or `*.example.com`. */
  domain: string;
  description: string;
  metadata: string;
  region: string | null;
  createdAt: Date;
}

export const reservedDomainViewSelect = { id: true, domain: true, description: true, metadata: true, region: true, createdAt: true } as const;

export const NOT_ADMIN_DOMAINS = "You must be an owner or admin to reserve, update or release domains";
export const RESERVED_DOMAIN_NOT_FOUND = "Reserved domain not found";
