/**
 * What Botdesk takes from an external provider's profile to admit a sign-in
 * (lib/domain/access/admit-external-identity.ts): who it is, and an email only
 * when the provider vouches for it. An unverified email must never link an
 * identity to the person who owns that address in Botdesk: anyone can type
 * someone else's address into a GitHub account.
 */

/** One row of GitHub's `GET /user/emails`. */
export interface GitHubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

function githubEmails(response: unknown): GitHubEmail[] {
  if (!Array.isArray(response)) return [];
  return response.filter(
    (e): e is GitHubEmail =>
      typeof e === "object" && e !== null && typeof e.email === "string" && typeof e.verified === "boolean" && typeof e.primary === "boolean",
  );
}

/**
 * The email a GitHub sign-in may be linked by: only one GitHub's `/user/emails`
 * reports as `verified: true`. The profile's public email when it is verified,
 * else the verified primary email; null when there is none (or the list could
 * not be read): then only an identity linked before can sign in.
 */
export function verifiedGitHubEmail(profileEmail: string | null | undefined, emailsResponse: unknown): string | null {
  const verified = githubEmails(emailsResponse).filter((e) => e.verified === true);
  const wanted = profileEmail?.trim().toLowerCase();
  const listed = wanted ? verified.find((e) => e.email.trim().toLowerCase() === wanted) : undefined;
  return (listed ?? verified.find((e) => e.primary))?.email ?? null;
}

/**
 * The sign-in an external provider asks for, from Auth.js's `account` and raw
 * `profile` (for GitHub, as `githubUserinfo` below built it). `emailVerified`
 * is true only when the provider says so: OIDC's `email_verified` claim, and
 * for GitHub the same flag, set from `/user/emails`.
 */
export function externalSignIn(
  account: { provider: string; providerAccountId: string },
  profile: Record<string, unknown> | undefined,
): { provider: "oidc" | "github"; subject: string; email: string | null; emailVerified: boolean } {
  const email = typeof profile?.email === "string" ? profile.email : null;
  return {
    provider: account.provider === "github" ? "github" : "oidc",
    subject: account.providerAccountId,
    email,
    emailVerified: email !== null && profile?.email_verified === true,
  };
}

/**
 * GitHub's userinfo step, replacing Auth.js's default (which takes the primary
 * or first email whether verified or not): the profile from `/user`, with
 * `email` replaced by a verified one (or null) and `email_verified` set.
 */
export async function githubUserinfo(
  accessToken: string | undefined,
  apiBaseUrl = "https://api.github.com",
): Promise<Record<string, unknown>> {
  const headers = { Authorization: `Bearer ${accessToken}`, "User-Agent": "botdesk", Accept: "application/vnd.github+json" };
  const profile = (await (await fetch(`${apiBaseUrl}/user`, { headers })).json()) as Record<string, unknown>;
  let emails: unknown = [];
  try {
    const response = await fetch(`${apiBaseUrl}/user/emails`, { headers });
    if (response.ok) emails = await response.json();
  } catch {
    // No verified email then: only an identity linked before may sign in.
  }
  const email = verifiedGitHubEmail(typeof profile.email === "string" ? profile.email : null, emails);
  return { ...profile, email, email_verified: email !== null };
}
