import { existsSync, readFileSync, statSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { E2E_SERVER_LOG } from "../support/constants";

/**
 * The e2e server's output (stdout and stderr, from its start), which
 * playwright.config.ts tees into E2E_SERVER_LOG.
 */

/** Where the log ends now: pass it to serverLogSince to read what a test made the server print. */
export function serverLogOffset(): number {
  if (!existsSync(E2E_SERVER_LOG)) throw new Error(`no server log at ${E2E_SERVER_LOG}: is playwright.config.ts's webServer teeing its output there?`);
  return statSync(E2E_SERVER_LOG).size;
}

/** The log from an offset on, once what the server wrote meanwhile has reached the file. */
export async function serverLogSince(offset = 0): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 500));
  return readFileSync(E2E_SERVER_LOG).subarray(offset).toString("utf8");
}

// "    at fn (file.js:1:2)", "    at async file.js:1:2", "    at <anonymous>", "    at new Foo (node:internal/…)"
const FRAME = /^\s+at (?:async )?(?:\S.*\(.*\)|\S+:\d+:\d+|<anonymous>|native)\s*$/;
// Next's error line: " ⨯ Error: …", " ⨯ unhandledRejection: …"
const NEXT_ERROR = /⨯/;

/** Each stack trace or Next error in a log: its first line and first frame. */
export function stackTraces(log: string): string[] {
  const lines = log.split("\n");
  const found: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (NEXT_ERROR.test(line)) {
      found.push(lines.slice(i, i + 2).join(" | ").slice(0, 400));
    } else if (FRAME.test(line) && !FRAME.test(lines[i - 1] ?? "") && !NEXT_ERROR.test(lines[i - 1] ?? "")) {
      found.push(`${(lines[i - 1] ?? "").slice(0, 300)} | ${line.trim()}`);
    }
  }
  return found;
}

/** Registers, for the spec calling it, a check after each test that the server printed no stack trace while it ran. */
export function expectNoStackTracesPerTest(): void {
  let logStart = 0;
  test.beforeEach(() => {
    logStart = serverLogOffset();
  });
  test.afterEach(async () => {
    expect(stackTraces(await serverLogSince(logStart)), "stack traces in the server's log during this test").toEqual([]);
  });
}
