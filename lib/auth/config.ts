import { log } from "@/lib/server/log";
import NextAuth, { CredentialsSignin, type NextAuthConfig } from "next-auth";
import "next-auth/jwt";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import type { Provider } from "next-auth/providers";
import { db } from "@/lib/db/client";
import { admitExternalIdentity } from "@/lib/domain/access/admit-external-identity";
import { signInWithPassword, type SignedInPerson } from "@/lib/domain/access/sign-in-with-password";
import { signInWithSecondFactor } from "@/lib/domain/access/sign-in-with-second-factor";
import type { Admission, RefusalReason, SignInMethod } from "@/lib/domain/access/types";
import { env } from "@/lib/env";
import { requestContextFrom } from "@/lib/server/request-context";
import { isSignInEmail, signInFormSchema } from "@/lib/validation/sign-in";
import { twoFactorCodeSchema } from "@/lib/validation/two-factor";
import { externalSignIn, githubUserinfo } from "./external-profile";
import { clearPendingSignInCookie, pendingSignInTokenFrom, setPendingSignInCookie } from "./pending-sign-in-cookie";
import { endPresentedSession } from "@/lib/domain/people/end-presented-session";
import { signOutOutcome } from "./sign-out-outcome";

declare module "next-auth/jwt" {
  interface JWT {
    /** The principal id (`usr_…`). */
    sub?: string;
    /** The principal's session version when this session was issued (see resolveSessionActor). */
    sv?: number;
    /** How this session was signed in: only password sessions are held to Botdesk's own second factor. */
    via?: SignInMethod;
  }
}

declare module "next-auth" {
  interface User {
    sessionVersion?: number;
  }
  interface Session {
    sessionVersion?: number;
    signInMethod?: SignInMethod;
  }
}

/** A refused password sign-in; `code` reaches the sign-in form (never a hint about which part was wrong). */
export class SignInRefused extends CredentialsSignin {
  constructor(reason: RefusalReason, retryAfterSeconds?: number) {
    super();
    this.code = retryAfterSeconds === undefined ? reason : `${reason}:${retryAfterSeconds}`;
  }
}

function optionalProviders(): Provider[] {
  const providers: Provider[] = [];
  if (env.AUTH_OIDC_ISSUER && env.AUTH_OIDC_ID && env.AUTH_OIDC_SECRET) {
    providers.push({
      id: "oidc",
      name: env.AUTH_OIDC_NAME ?? "Single sign-on",
      type: "oidc",
      issuer: env.AUTH_OIDC_ISSUER,
      clientId: env.AUTH_OIDC_ID,
      clientSecret: env.AUTH_OIDC_SECRET,
    });
  }
  if (env.AUTH_GITHUB_ID && env.AUTH_GITHUB_SECRET) {
    providers.push(
      GitHub({
        clientId: env.AUTH_GITHUB_ID,
        clientSecret: env.AUTH_GITHUB_SECRET,
        // Only an email GitHub reports as verified may link a sign-in to a person.
        userinfo: { url: "https://api.github.com/user", request: ({ tokens }: { tokens: { access_token?: string } }) => githubUserinfo(tokens.access_token) },
      }),
    );
  }
  return providers;
}

const enabledProviders = optionalProviders();

/** The external providers switched on by environment variables, for the sign-in page. */
export const externalProviders = enabledProviders.map((p) => {
  const config = typeof p === "function" ? p() : p;
  return { id: config.id, name: config.name };
});

const config: NextAuthConfig = {
  secret: env.AUTH_SECRET,
  trustHost: true,
  session: { strategy: "jwt", maxAge: 7 * 24 * 60 * 60 },
  pages: { signIn: "/sign-in", error: "/sign-in" },
  logger: {
    // A refused sign-in is an expected outcome, recorded as an event where it matters.
    error(error) {
      if (error instanceof CredentialsSignin || (error as { type?: string }).type === "AccessDenied") return;
      log.error("auth", `${(error as { type?: string }).type ?? error.name}: ${error.message}`); // type: Auth.js names its errors there (a production build minifies class names)
    },
  },
  providers: [
    Credentials({
      // Two steps, one provider: {login, password}, then (with a second factor) {code}, which completes
      // the pending sign-in named by the httpOnly cookie the first step set.
      credentials: { login: { label: "Email" }, password: { label: "Password", type: "password" }, code: { label: "Code" } },
      async authorize(raw, request) {
        const ctx = requestContextFrom(request.headers);
        let step: () => Promise<Admission<SignedInPerson>>;
        const secondStep = typeof raw === "object" && raw !== null && "code" in raw;
        if (secondStep) {
          const parsed = twoFactorCodeSchema.safeParse(raw);
          if (!parsed.success) throw new SignInRefused("wrong_code");
          const pending = pendingSignInTokenFrom(request.headers);
          if (!pending) throw new SignInRefused("sign_in_expired");
          step = () => signInWithSecondFactor({ pending, code: parsed.data.code }, ctx);
        } else {
          const parsed = signInFormSchema.safeParse(raw);
          if (!parsed.success) throw new SignInRefused(isSignInEmail(typeof (raw as { login?: unknown }).login === "string" ? String((raw as { login: string }).login) : "") ? "invalid" : "invalid_email");
          step = () => signInWithPassword(parsed.data, ctx);
        }
        let result;
        try {
          result = await step();
        } catch (error) {
          // Most likely the database is down: say so, not "wrong password". Never log the input.
          log.error("auth", "sign-in could not be checked", { error: error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : error });
          throw new SignInRefused("unavailable");
        }
        if (!result.ok) {
          const { refusal } = result;
          if (refusal.reason === "second_factor") await setPendingSignInCookie(refusal.pending);
          if (refusal.reason === "sign_in_expired") await clearPendingSignInCookie();
          throw new SignInRefused(refusal.reason, refusal.reason === "rate_limited" ? refusal.retryAfterSeconds : undefined);
        }
        if (secondStep) await clearPendingSignInCookie();
        const { id, name, email, sessionVersion } = result.value;
        return { id, name, email, sessionVersion };
      },
    }),
    ...enabledProviders,
  ],
  events: {
    // Every way out through Auth.js (its sign-out page and endpoint, and signOut() in the dashboard's
    // action) ends the session on the server too: the cookie alone would stay valid until it expires.
    async signOut(message) {
      const token = "token" in message ? message.token : null;
      if (!token?.sub) return;
      try {
        const { headers } = await import("next/headers");
        await endPresentedSession({ subject: token.sub, version: token.sv }, requestContextFrom(await headers()));
      } catch (error) {
        log.error("auth", "signing out could not end the session on the server", { error: error instanceof Error ? `${error.name}: ${error.message.slice(0, 300)}` : error });
        const outcome = signOutOutcome.getStore();
        if (outcome) outcome.failed = true;
        throw error;
      }
    },
  },
  callbacks: {
    async signIn({ account, profile }) {
      if (!account || account.type === "credentials") return true;
      const { headers } = await import("next/headers");
      const result = await admitExternalIdentity(externalSignIn(account, profile), requestContextFrom(await headers()));
      return result.ok ? true : `/sign-in?error=${result.refusal.reason}`;
    },
    async jwt({ token, user, account }) {
      if (account && account.type !== "credentials") {
        const identity = await db().externalIdentity.findUnique({
          where: { provider_subject: { provider: account.provider === "github" ? "github" : "oidc", subject: account.providerAccountId } },
          select: { principal: { select: { id: true, sessionVersion: true } } },
        });
        token.sub = identity?.principal.id;
        token.sv = identity?.principal.sessionVersion;
        token.via = account.provider === "github" ? "github" : "oidc";
      } else if (user?.id) {
        token.sub = user.id;
        token.sv = user.sessionVersion ?? 0;
        token.via = "password";
      }
      // Any other call (including a client's "update") keeps sub and sv as issued: only a new sign-in changes them.
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      session.sessionVersion = token.sv ?? 0;
      session.signInMethod = token.via;
      return session;
    },
  },
};

export const { handlers, auth, signIn, signOut } = NextAuth(config);
