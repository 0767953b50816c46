import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native and WebAssembly packages load from node_modules at run time instead of being bundled.
  serverExternalPackages: ["@node-rs/argon2", "pg", "ssh2", "prom-client"],
  poweredByHeader: false,
  experimental: {
    // proxy.ts answers bodies over 1 MB with 413 (lib/server/body-limit.ts) before any action or
    // handler reads them; Next's own limit (1 MiB, answered with a 500) stays as a backstop. The
    // proxy gets a copy of each body of at most proxyClientMaxBodySize (default 10 MB): 2 MB is
    // enough to see a chunked body pass 1 MB, and bounds what Next buffers per request.
    serverActions: { bodySizeLimit: "1mb" },
    proxyClientMaxBodySize: "2mb",
  },
  // An admin console: never framed (clickjacking), no MIME sniffing, no referrer leaks.
  // Pages get their Content-Security-Policy (with a per-request nonce) from proxy.ts.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
  typedRoutes: false,
};

export default nextConfig;
