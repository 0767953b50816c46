import { describe, expect, it } from "vitest";
import { encode } from "next-auth/jwt";
import { presentedSession, sessionCookieName } from "./session-cookie";

const NAME = "authjs.session-token";
const jar = (cookies: Record<string, string>) => ({ getAll: () => Object.entries(cookies).map(([name, value]) => ({ name, value })) });
// Next.js sets X-Forwarded-Proto to the scheme it served, when no proxy did.
const plain = new Headers({ host: "botdesk.example", "x-forwarded-proto": "http" });
const tls = new Headers({ host: "botdesk.example", "x-forwarded-proto": "https" });
const SECRET = "session-cookie-test-secret-0123456789abcdef";
const token = (claims: object, salt = NAME, secret = SECRET, maxAge = 3600) => encode({ token: claims, secret, salt, maxAge });

describe("the session a request presents (read as Auth.js's auth() reads it)", () => {
  it("is whom the cookie signed in, its session version and how", async () => {
    const value = await token({ sub: "usr_1", sv: 3, via: "github", name: "Ada" });
    expect(await presentedSession(plain, jar({ [NAME]: value }), SECRET)).toEqual({ subject: "usr_1", version: 3, method: "github" });
    // Sessions from before versions and sign-in methods were recorded: version 0, method unknown.
    expect(await presentedSession(plain, jar({ [NAME]: await token({ sub: "usr_1" }) }), SECRET)).toEqual({ subject: "usr_1", version: 0, method: null });
  });

  it("reads a cookie Auth.js split into chunks, in their order", async () => {
    const value = await token({ sub: "usr_2", sv: 1, via: "password" });
    const cut = Math.floor(value.length / 3);
    const chunks = { [`${NAME}.2`]: value.slice(2 * cut), [`${NAME}.0`]: value.slice(0, cut), [`${NAME}.1`]: value.slice(cut, 2 * cut) };
    expect(await presentedSession(plain, jar(chunks), SECRET)).toEqual({ subject: "usr_2", version: 1, method: "password" });
  });

  it("over HTTPS reads only the __Secure- cookie, which is encrypted for that name", async () => {
    const secure = await token({ sub: "usr_3", sv: 0, via: "password" }, `__Secure-${NAME}`);
    expect(await presentedSession(tls, jar({ [`__Secure-${NAME}`]: secure }), SECRET)).toMatchObject({ subject: "usr_3" });
    expect(await presentedSession(plain, jar({ [`__Secure-${NAME}`]: secure }), SECRET)).toBeNull();
    expect(await presentedSession(plain, jar({ [NAME]: secure }), SECRET)).toBeNull(); // salted with the other name
  });

  it("is no session for a forged, tampered, expired or subject-less token", async () => {
    const good = await token({ sub: "usr_4" });
    expect(await presentedSession(plain, jar({}), SECRET)).toBeNull();
    expect(await presentedSession(plain, jar({ [NAME]: await token({ sub: "usr_4" }, NAME, "another-secret-0123456789abcdef0123") }), SECRET)).toBeNull();
    expect(await presentedSession(plain, jar({ [NAME]: `${good.slice(0, -4)}AAAA` }), SECRET)).toBeNull();
    expect(await presentedSession(plain, jar({ [NAME]: await token({ sub: "usr_4" }, NAME, SECRET, -60) }), SECRET)).toBeNull();
    expect(await presentedSession(plain, jar({ [NAME]: await token({ name: "no subject" }) }), SECRET)).toBeNull();
    expect(await presentedSession(plain, jar({ [NAME]: "not-a-token" }), SECRET)).toBeNull();
  });

  it("is read under the name Auth.js writes it under: AUTH_URL's scheme first, else the request's", () => {
    expect(sessionCookieName(plain, undefined)).toBe(NAME);
    expect(sessionCookieName(tls, undefined)).toBe(`__Secure-${NAME}`);
    // Behind a proxy that does not say its scheme, AUTH_URL decides, as it does for Auth.js.
    expect(sessionCookieName(plain, "https://botdesk.example.com")).toBe(`__Secure-${NAME}`);
    expect(sessionCookieName(tls, "http://localhost:3000")).toBe(NAME);
    // No scheme at all: Auth.js assumes https.
    expect(sessionCookieName(new Headers({ host: "botdesk.example" }), undefined)).toBe(`__Secure-${NAME}`);
  });
});
