import { ApiError, errorResponse, notFoundMessage } from "@/lib/api/errors";

/**
 * A path whose percent-encoding does not decode (`%FF`, `%zz`, the overlong
 * `%C0%80`): Next.js answers such a path with a bare text/plain 500 when a
 * dynamic route matches it. No route can serve it, so it is answered as what
 * it is, a page that does not exist: proxy.ts checks every path first.
 */
export function hasMalformedEncoding(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return false;
  } catch {
    return true;
  }
}

/** Paths answered in the APIs' JSON error shape (every /api and /agent path: both have a JSON catch-all 404). */
export const isJsonPath = (pathname: string) => /^\/(api|agent)(\/|$)/.test(pathname);

/** The JSON 404 of the APIs (as lib/api/route.ts's apiNotFound words it), for a path that does not decode. */
export function malformedApiPath(method: string, pathname: string, operationId: string): Response {
  return errorResponse(new ApiError("ERR_BOTDESK_404", notFoundMessage(method, pathname)), operationId);
}

/**
 * Where proxy.ts rewrites a dashboard path that does not decode: no page matches
 * it, so Next renders the app's own not-found page (app/not-found.tsx) with a 404.
 */
export const NOT_FOUND_REWRITE = "/_botdesk-not-found";
