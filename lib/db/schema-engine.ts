import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import pg from "pg";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlQueryable,
  type SqlResultSet,
} from "@prisma/driver-adapter-utils";
import * as glue from "@prisma/schema-engine-wasm/schema_engine_bg";
import { applyMigrations } from "./migrate";
import { createScratchDatabase } from "./scratch-database";

/**
 * Prisma's schema engine (the part behind `migrate diff/dev`) as WebAssembly,
 * talking to PostgreSQL through @prisma/adapter-pg. Used to author migrations
 * and to check drift on machines where Prisma's native engine cannot be
 * downloaded. Where the native engine exists, this path still works and gives
 * the same SQL, so Botdesk uses it everywhere.
 */

export const DEFAULT_SCHEMA_PATH = "prisma/schema.prisma";
const NO_FILTERS = { externalTables: [], externalEnums: [] };
const PG_CHAR_OID = 18; // PostgreSQL's internal one-byte "char"
const PG_TEXT_OID = 25;

let loaded: typeof glue | undefined;

/** Instantiates the engine's wasm once per process (Node 20 cannot import the package's .wasm entry). */
function loadEngine(): typeof glue {
  if (loaded) return loaded;
  // The wasm reports panics through this global (Prisma's CLI installs the same).
  const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(m: string): void } };
  g.PRISMA_WASM_PANIC_REGISTRY ??= {
    set_message(m: string) {
      // A panic surfaces as a bare "RuntimeError: unreachable"; this is the only place its reason appears.
      process.stderr.write(`Prisma schema engine panicked: ${m}\n`);
    },
  };
  // The prisma package ships the wasm that matches its own version; the glue
  // package only supplies the JS bindings (checked below).
  const require = createRequire(import.meta.url);
  const wasmPath = path.join(path.dirname(require.resolve("prisma/package.json")), "build/schema_engine_bg.wasm");
  const wasmModule = new WebAssembly.Module(readFileSync(wasmPath));
  const imports: Record<string, Record<string, unknown>> = {};
  for (const imp of WebAssembly.Module.imports(wasmModule)) {
    const fn = (glue as Record<string, unknown>)[imp.name];
    if (fn === undefined) {
      throw new Error(`@prisma/schema-engine-wasm does not match ${wasmPath} (missing ${imp.name}); install the glue version that matches prisma's.`);
    }
    (imports[imp.module] ??= {})[imp.name] = fn;
  }
  const instance = new WebAssembly.Instance(wasmModule, imports as WebAssembly.Imports);
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
  loaded = glue;
  return glue;
}

type QueryResultLike = { fields?: { dataTypeID: number }[]; rows?: unknown[] };

/** Result rows (the very array adapter-pg hands back) → indexes of their `"char"` columns. */
const charColumns = new WeakMap<object, number[]>();

function markCharColumns<T>(result: T): T {
  for (const r of (Array.isArray(result) ? result : [result]) as QueryResultLike[]) {
    const idx: number[] = [];
    (r?.fields ?? []).forEach((f, i) => {
      if (f.dataTypeID === PG_CHAR_OID) {
        f.dataTypeID = PG_TEXT_OID; // adapter-pg would throw on the unknown type
        idx.push(i);
      }
    });
    if (idx.length > 0 && r.rows) charColumns.set(r.rows, idx);
  }
  return result;
}

/**
 * adapter-pg 7.10 rejects PostgreSQL's `"char"` columns, which the engine's
 * introspection selects (constraint types, FK actions), and the engine reads
 * them as characters, not text. pg already returns them as one-character
 * strings: this client relabels them as text for adapter-pg, and
 * `withCharColumns` restores the Character column type for the engine.
 */
class CharAwareClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const cb = args.findIndex((a) => typeof a === "function");
    if (cb >= 0) {
      const done = args[cb] as (err: Error | null, res: unknown) => void;
      args[cb] = (err: Error | null, res: unknown) => done(err, err ? res : markCharColumns(res));
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const out = (super.query as (...a: unknown[]) => unknown)(...args);
    return out instanceof Promise ? out.then(markCharColumns) : out;
  }
}

function withCharColumns(rs: SqlResultSet): SqlResultSet {
  for (const i of charColumns.get(rs.rows) ?? []) rs.columnTypes[i] = ColumnTypeEnum.Character;
  return rs;
}

/** The same queryable, with `"char"` columns typed as Character. */
function charAware<T extends SqlQueryable>(q: T): T {
  return new Proxy(q, {
    get(target, prop) {
      if (prop === "queryRaw") return async (query: SqlQuery) => withCharColumns(await target.queryRaw(query));
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * adapter-pg, with three fixes: `"char"` columns readable; scripts sent whole as one
 * query (adapter-pg splits on `;`); shadow databases created by us under unique
 * names, checked to really be separate databases. Every adapter it hands out
 * is tracked, because `engine.free()` does not dispose them.
 */
class BotdeskPgFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "postgres" as const;
  readonly adapterName = "@prisma/adapter-pg";
  private readonly live = new Set<SqlDriverAdapter>();

  constructor(private readonly url: string) {}

  connect(): Promise<SqlDriverAdapter> {
    return this.open(this.url);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const shadow = await createScratchDatabase(this.url, "botdesk_shadow");
    return this.open(shadow.url, shadow.drop);
  }

  async disposeAll(): Promise<void> {
    for (const adapter of [...this.live]) await adapter.dispose();
  }

  private async open(url: string, afterDispose?: () => Promise<void>): Promise<SqlDriverAdapter> {
    const pool = new pg.Pool({ connectionString: url, max: 4, Client: CharAwareClient as typeof pg.Client });
    const inner = await new PrismaPg(pool, { disposeExternalPool: true }).connect();
    let disposed = false;
    const adapter: SqlDriverAdapter = {
      provider: inner.provider,
      adapterName: inner.adapterName,
      queryRaw: async (q) => withCharColumns(await inner.queryRaw(q)),
      executeRaw: (q) => inner.executeRaw(q),
      // No parameters → pg's simple query protocol: many statements, one implicit transaction.
      executeScript: async (script) => void (await inner.executeRaw({ sql: script, args: [], argTypes: [] })),
      startTransaction: async (level) => charAware(await inner.startTransaction(level)),
      getConnectionInfo: () => inner.getConnectionInfo(),
      dispose: async () => {
        if (disposed) return;
        disposed = true;
        this.live.delete(adapter);
        await inner.dispose();
        await afterDispose?.();
      },
    };
    this.live.add(adapter);
    return adapter;
  }
}

/** Runs `fn` with a schema engine connected to `url`; frees the engine and every connection after. */
export async function withSchemaEngine<T>(
  url: string,
  fn: (engine: glue.SchemaEngine) => Promise<T>,
  opts: { schema?: { path: string; content: string }; log?: (line: string) => void } = {},
): Promise<T> {
  const { SchemaEngine } = loadEngine();
  const factory = new BotdeskPgFactory(url);
  const datamodels: [string, string][] = opts.schema ? [[opts.schema.path, opts.schema.content]] : [];
  const logger = (line: string) => opts.log?.(line);
  let engine: glue.SchemaEngine | undefined;
  try {
    engine = await SchemaEngine.new({ datamodels }, logger, bindMigrationAwareSqlAdapterFactory(factory));
    return await fn(engine);
  } finally {
    engine?.free();
    await factory.disposeAll();
  }
}

export interface SchemaDriftOptions {
  /** Path of the Prisma schema; defaults to prisma/schema.prisma under process.cwd(). */
  schemaPath?: string;
  /** The schema's text, instead of reading schemaPath. */
  schema?: string;
  /** Defaults to prisma/migrations under process.cwd(). */
  migrationsDir?: string;
  log?: (line: string) => void;
}

/**
 * Applies every migration to the EMPTY database at `emptyDatabaseUrl`, then
 * returns the SQL that would turn the result into what the Prisma schema
 * describes: '' when they match. This is both the drift check and the body of
 * the next migration. Prisma's diff does not see CHECK constraints, triggers or
 * functions, so hand-written ones never count as drift.
 */
export async function schemaDrift(emptyDatabaseUrl: string, opts: SchemaDriftOptions = {}): Promise<string> {
  const schemaPath = path.resolve(process.cwd(), opts.schemaPath ?? DEFAULT_SCHEMA_PATH);
  const content = opts.schema ?? (await readFile(schemaPath, "utf8"));
  await assertEmptyDatabase(emptyDatabaseUrl);
  await applyMigrations({ connectionString: emptyDatabaseUrl, migrationsDir: opts.migrationsDir, log: opts.log });
  const schema = { path: schemaPath, content };
  const result = await withSchemaEngine(
    emptyDatabaseUrl,
    (engine) =>
      engine.diff({
        from: { tag: "schemaDatasource", files: [schema], configDir: path.dirname(schemaPath) },
        to: { tag: "schemaDatamodel", files: [schema] },
        script: true,
        exitCode: true, // 2 when there is a difference, 0 when there is none
        filters: NO_FILTERS,
      }),
    { schema },
  );
  return result.exitCode === 2 ? (result.stdout ?? "").trim() + "\n" : "";
}

async function assertEmptyDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()",
    );
    if ((rows[0]?.n ?? 0) > 0) throw new Error("schemaDrift needs an empty scratch database, and this one has tables.");
  } finally {
    await client.end();
  }
}
