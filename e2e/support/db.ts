import pg from "pg";
import { e2eDatabaseUrl } from "./constants";

/** Runs one statement against the e2e server's database, as an admin with psql would. */
export async function sql<T extends pg.QueryResultRow = pg.QueryResultRow>(
  strings: TemplateStringsArray,
  ...values: (string | number | null)[]
): Promise<T[]> {
  const client = new pg.Client({ connectionString: e2eDatabaseUrl() });
  await client.connect();
  try {
    const text = strings.reduce((acc, part, i) => `${acc}$${i}${part}`);
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
