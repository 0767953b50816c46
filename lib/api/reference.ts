import { API_ERRORS } from "./errors";
import { openApiDocument } from "./openapi";

type Json = Record<string, unknown>;

/** One field of a body, query or answer, as the API page lists it. */
export interface ReferenceField {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

export interface ReferenceOperation {
  id: string;
  method: string;
  path: string;
  summary: string;
  parameters: ReferenceField[];
  body: ReferenceField[];
  /** The object answered (for lists: the object of each item). */
  answer: { name: string; fields: ReferenceField[] } | null;
  statuses: { status: string; description: string }[];
  curl: string;
}

export interface ApiReference {
  base: string;
  groups: { tag: string; operations: ReferenceOperation[] }[];
  errors: { code: string; status: number; meaning: string }[];
}

function typeOf(s: Json): string {
  if (Array.isArray(s.anyOf)) return (s.anyOf as Json[]).map(typeOf).join(" or ");
  if (Array.isArray(s.enum)) return (s.enum as unknown[]).map((v) => JSON.stringify(v)).join(" | ");
  if (Array.isArray(s.type)) return (s.type as string[]).join(" or ");
  if (s.type === "array") return `${typeOf((s.items as Json) ?? {})}[]`;
  if (typeof s.type === "string") return s.format ? `${s.type} (${s.format as string})` : (s.type as string);
  return "any";
}

function fieldsOf(schema: Json | undefined): ReferenceField[] {
  if (!schema) return [];
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries((schema.properties as Record<string, Json> | undefined) ?? {}).map(([name, s]) => ({
    name,
    type: typeOf(s),
    required: required.has(name),
    description: typeof s.description === "string" ? s.description : "",
  }));
}

/** Example values for a curl body. */
const EXAMPLES: Record<string, unknown> = {
  name: "billing-sync",
  active: false,
  description: "deploys",
  metadata: "team=payments",
  acl: ["bind:*.example.com"],
  public_key: "ssh-ed25519 AAAAC3Nza… you@laptop",
  owner_id: "bot_…",
  domain: "app.example.com",
};

const EXAMPLE_QUERIES: Record<string, string> = {
  "events.list": "?bot_id=bot_…&range=7d&limit=20",
  "usage.get": "",
};

function curlOf(base: string, method: string, path: string, operationId: string, body: ReferenceField[]): string {
  const url = `${base}${path.replace("{id}", path.startsWith("/bot_users") || path.startsWith("/service_users") ? "bot_…" : "ID")}`;
  const lines = [`curl -s${method === "get" ? "" : ` -X ${method.toUpperCase()}`} "${url}${method === "get" && !path.endsWith("}") ? (EXAMPLE_QUERIES[operationId] ?? "?limit=10") : ""}" \\`];
  lines.push(`  -H "Authorization: Bearer $BOTDESK_API_KEY" -H "Ngrok-Version: 2"`);
  if (body.length > 0) {
    const chosen = body.filter((f) => f.required);
    const fields = chosen.length > 0 ? chosen : body.slice(0, 1);
    const example = Object.fromEntries(fields.map((f) => [f.name, EXAMPLES[f.name] ?? "…"]));
    lines[lines.length - 1] += " \\";
    lines.push(`  -H "Content-Type: application/json" -d '${JSON.stringify(example)}'`);
  }
  return lines.join("\n");
}

/**
 * The OpenAPI document (lib/api/openapi.ts) read back into what the API page
 * shows: per resource, each call with its parameters, body fields, the object
 * answered, the statuses, and a curl example against `base` with the
 * `$BOTDESK_API_KEY` placeholder. The page shows the document, so it cannot
 * drift from it.
 */
export function apiReference(base: string): ApiReference {
  const doc = openApiDocument(base) as { paths: Record<string, Record<string, Json>>; components: { schemas: Record<string, Json> } };
  const schemas = doc.components.schemas;
  const resolve = (s: Json | undefined): { name: string; schema: Json } | null => {
    if (!s) return null;
    if (typeof s.$ref === "string") {
      const name = s.$ref.split("/").pop()!;
      return { name, schema: schemas[name] ?? {} };
    }
    if (s.type === "object" && s.properties) {
      // A list: the object of its items.
      const items = Object.values(s.properties as Record<string, Json>).find((p) => p.type === "array")?.items as Json | undefined;
      if (items) return resolve(items);
    }
    return null;
  };
  const groups = new Map<string, ReferenceOperation[]>();
  for (const [path, item] of Object.entries(doc.paths)) {
    // /service_users is /bot_users under ngrok's newer name: shown once, said in the bot users' summary.
    if (path.startsWith("/service_users")) continue;
    for (const method of ["get", "post", "patch", "delete"]) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const tag = ((op.tags as string[] | undefined) ?? ["Other"])[0]!;
      const responses = (op.responses as Record<string, Json>) ?? {};
      const ok = Object.entries(responses).find(([status]) => status.startsWith("2"));
      const answerSchema = ok ? ((ok[1].content as Json | undefined)?.["application/json"] as Json | undefined)?.schema : undefined;
      const answer = resolve(answerSchema as Json | undefined);
      const body = fieldsOf((((op.requestBody as Json | undefined)?.content as Json | undefined)?.["application/json"] as Json | undefined)?.schema as Json | undefined);
      const parameters = ((op.parameters as Json[] | undefined) ?? []).map((p) => ({
        name: p.name as string,
        type: typeOf((p.schema as Json) ?? {}),
        required: Boolean(p.required),
        description: (p.description as string | undefined) ?? "",
      }));
      const operation: ReferenceOperation = {
        id: op.operationId as string,
        method: method.toUpperCase(),
        path,
        summary: (op.summary as string | undefined) ?? "",
        parameters,
        body,
        answer: answer ? { name: answer.name, fields: fieldsOf(answer.schema) } : null,
        statuses: Object.entries(responses).map(([status, r]) => ({ status, description: (r.description as string) ?? "" })),
        curl: curlOf(base, method, path, op.operationId as string, body),
      };
      groups.set(tag, [...(groups.get(tag) ?? []), operation]);
    }
  }
  return {
    base,
    groups: [...groups].map(([tag, operations]) => ({ tag, operations })),
    errors: Object.entries(API_ERRORS).map(([code, e]) => ({ code, status: e.status, meaning: e.meaning })),
  };
}
