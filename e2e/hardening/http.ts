import type { APIRequestContext } from "@playwright/test";
import { E2E_PORT } from "../support/constants";

export const ORIGIN = `http://localhost:${E2E_PORT}`;

/** A FormData argument of a server action (React encodes it as `$K<n>` plus prefixed form fields). */
export class Form {
  constructor(readonly fields: Record<string, string>) {}
}

export interface ActionAnswer {
  status: number;
  /** Where the action redirected the browser (x-action-redirect, without its push/replace mode). */
  redirect: string | null;
  /** The action's return value (null for none or a redirect). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  result: any;
  raw: string;
}

/**
 * Invokes a server action over HTTP as Next's client does: POST to a page that
 * serves it with `Next-Action: <id>` and the arguments encoded by React's
 * encodeReply (plain JSON as text; with a FormData argument, multipart with the
 * form's fields prefixed `_<n>_`, then the JSON as field "0").
 */
export async function callAction(request: APIRequestContext, action: { id: string; pagePath: string }, args: unknown[], cookie: string | null): Promise<ActionAnswer> {
  const headers: Record<string, string> = { "Next-Action": action.id, Accept: "text/x-component", Origin: ORIGIN };
  if (cookie) headers.Cookie = cookie;
  const forms: Form[] = [];
  const json = JSON.stringify(args, (_k, v: unknown) => {
    if (v instanceof Form) return `$K${(forms.push(v)).toString(16)}`;
    if (typeof v === "string" && v.startsWith("$")) return `$${v}`;
    return v;
  });
  let res;
  if (forms.length === 0) {
    res = await request.post(action.pagePath, { headers: { ...headers, "Content-Type": "text/plain;charset=UTF-8" }, data: json, maxRedirects: 0 });
  } else {
    // The root goes last, as the browser sends it: the form fields must be known when it is decoded.
    const multipart = new FormData();
    forms.forEach((f, i) => {
      for (const [k, v] of Object.entries(f.fields)) multipart.append(`_${i + 1}_${k}`, v);
    });
    multipart.append("0", json);
    res = await request.post(action.pagePath, { headers, multipart, maxRedirects: 0 });
  }
  const raw = await res.text();
  const redirectHeader = res.headers()["x-action-redirect"] ?? null;
  return { status: res.status(), redirect: redirectHeader ? redirectHeader.split(";")[0]!.replace(ORIGIN, "") : null, result: redirectHeader ? null : resultOf(raw), raw };
}

/** The RSC payload's rows by id: JSON rows end at a newline; text rows (`T<hex byte length>,`) are length-delimited. */
function rowsOf(raw: string): Map<string, string> {
  const bytes = Buffer.from(raw, "utf8");
  const rows = new Map<string, string>();
  let at = 0;
  while (at < bytes.length) {
    const colon = bytes.indexOf(":", at);
    if (colon < 0) break;
    const id = bytes.subarray(at, colon).toString("utf8");
    if (bytes[colon + 1] === 0x54 /* T */) {
      const comma = bytes.indexOf(",", colon);
      const length = parseInt(bytes.subarray(colon + 2, comma).toString("utf8"), 16);
      rows.set(id, JSON.stringify(bytes.subarray(comma + 1, comma + 1 + length).toString("utf8")));
      at = comma + 1 + length;
    } else {
      const end = bytes.indexOf("\n", colon);
      rows.set(id, bytes.subarray(colon + 1, end < 0 ? bytes.length : end).toString("utf8"));
      at = end < 0 ? bytes.length : end + 1;
    }
  }
  return rows;
}

/** A JSON row's value; an error row (`E{…}`) or anything else is no value. */
function parsed(row: string): unknown {
  try {
    return JSON.parse(row);
  } catch {
    return row.startsWith("E") ? { $error: row.slice(1, 200) } : undefined;
  }
}

/** The action's value from the RSC payload: row 0 is `{"a": <value or "$@n">, …}`; `$n` and `$@n` point at other rows. */
function resultOf(raw: string): unknown {
  const rows = rowsOf(raw);
  const head = rows.get("0");
  if (!head) return undefined;
  const resolve = (v: unknown): unknown => {
    if (typeof v === "string" && /^\$@?[0-9a-f]+$/.test(v)) {
      const row = rows.get(v.replace(/^\$@?/, ""));
      return row === undefined ? undefined : resolve(parsed(row));
    }
    if (v === "$undefined") return undefined;
    if (typeof v === "string" && v.startsWith("$$")) return v.slice(1);
    if (Array.isArray(v)) return v.map(resolve);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
    return v;
  };
  return resolve((parsed(head) as { a?: unknown } | undefined)?.a);
}
