/**
 * Set by proxy.ts on every request (overwriting anything the client sent), so
 * code in different React render scopes of one request can tell it is the same
 * request. Not a secret and never trusted for anything but that.
 */
export const REQUEST_ID_HEADER = "x-botdesk-request-id";
