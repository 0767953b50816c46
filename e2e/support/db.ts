import pg from "pg";
import { E2E_DB_URL } from "./constants";

/**
 * Runs one statement against the e2e server's embedded database, as an admin
 * with psql would. Values are inlined as escaped literals so each call is one
 * simple-protocol message (the embedded server interleaves extended-protocol
 * messages from concurrent connections).
 */
export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(
  strings: TemplateStringsArray,
  ...values: (string | number | null)[]
): Promise<T[]> {
  const client = new pg.Client({ connectionString: E2E_DB_URL });
  await client.connect();
  try {
    const text = strings.reduce((acc, part, i) => {
      if (i === 0) return part;
      const v = values[i - 1];
      const literal = v === null || v === undefined ? "NULL" : typeof v === "number" ? String(v) : client.escapeLiteral(v);
      return acc + literal + part;
    }, "");
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}
