import { existsSync } from "node:fs";
import { chromium } from "@playwright/test";

/**
 * The Chromium the end-to-end tests drive, in this order: CHROMIUM_PATH,
 * Debian's /usr/bin/chromium, Playwright's own download. Undefined when none exists.
 */
export function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", safePlaywrightPath()];
  return candidates.find((p): p is string => Boolean(p && existsSync(p)));
}

function safePlaywrightPath(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
}

/** Flags that keep Chromium quiet and working as root, offline, in containers. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  // Offline: no name resolves but this machine's, and the tunnel domain's names (BOTDESK_TUNNEL_DOMAIN's default) are this machine.
  "--host-resolver-rules=MAP *.tunnel.localhost 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
];
