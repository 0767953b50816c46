import { AsyncLocalStorage } from "node:async_hooks";

/**
 * Whether Auth.js's sign-out could end the session server-side. Auth.js
 * catches (and only logs) an error of its `signOut` event and clears the
 * cookie all the same; the route around it (app/api/auth/[...nextauth])
 * reads this to answer 503 instead, keeping the cookie, so nobody is told
 * they signed out while their session still works elsewhere.
 */
export const signOutOutcome = new AsyncLocalStorage<{ failed: boolean }>();
