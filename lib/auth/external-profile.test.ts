import { describe, expect, it } from "vitest";
import { externalSignIn, verifiedGitHubEmail } from "./external-profile";

const row = (email: string, verified: boolean, primary = false) => ({ email, verified, primary, visibility: null });

describe("which GitHub email may link a sign-in to a person", () => {
  it("takes the public profile email only when GitHub lists it as verified", () => {
    const emails = [row("main@example.test", true, true), row("Public@Example.test", true)];
    expect(verifiedGitHubEmail("public@example.test", emails)).toBe("Public@Example.test");
  });

  it("never an unverified one: an unverified public email falls back to the verified primary", () => {
    const emails = [row("victim@example.test", false), row("own@example.test", true, true)];
    expect(verifiedGitHubEmail("victim@example.test", emails)).toBe("own@example.test");
  });

  it("no email at all when none is verified, not even the primary", () => {
    const emails = [row("victim@example.test", false, true), row("other@example.test", false)];
    expect(verifiedGitHubEmail("victim@example.test", emails)).toBeNull();
    expect(verifiedGitHubEmail(null, emails)).toBeNull();
  });

  it("a public email GitHub does not list for this user is not believed", () => {
    expect(verifiedGitHubEmail("victim@example.test", [])).toBeNull();
    expect(verifiedGitHubEmail("victim@example.test", [row("own@example.test", true)])).toBeNull();
  });

  it("an unreadable answer counts as no verified email", () => {
    expect(verifiedGitHubEmail("a@example.test", { message: "Requires authentication" })).toBeNull();
    expect(verifiedGitHubEmail("a@example.test", [{ email: "a@example.test", verified: "true", primary: true }])).toBeNull();
    expect(verifiedGitHubEmail("a@example.test", null)).toBeNull();
  });
});

describe("the sign-in asked for by an external provider", () => {
  const github = { provider: "github", providerAccountId: "123" };

  it("links by email only when the provider marked it verified", () => {
    // Auth.js's default GitHub profile: an email, with no word on whether it is verified.
    expect(externalSignIn(github, { email: "victim@example.test" })).toEqual({
      provider: "github",
      subject: "123",
      email: "victim@example.test",
      emailVerified: false,
    });
    expect(externalSignIn(github, { email: "own@example.test", email_verified: true }).emailVerified).toBe(true);
    expect(externalSignIn(github, { email: null, email_verified: false }).emailVerified).toBe(false);
  });

  it("takes OIDC's email_verified claim only when it is exactly true", () => {
    const oidc = { provider: "oidc", providerAccountId: "sub-1" };
    expect(externalSignIn(oidc, { email: "a@example.test", email_verified: true })).toMatchObject({ provider: "oidc", emailVerified: true });
    expect(externalSignIn(oidc, { email: "a@example.test", email_verified: "true" }).emailVerified).toBe(false);
    expect(externalSignIn(oidc, { email: "a@example.test" }).emailVerified).toBe(false);
  });
});
