import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

// Import boundaries: dependencies run one way, app → components → lib, and
// inside lib the Auth.js adapter (lib/auth) → lib/domain → lib/db. Each layer
// lists what it must never import, by the `@/` alias or by a relative path
// that climbs into that folder.
const into = (folder) => String.raw`^(@/|(\.\./)+)${folder}(/|$)`;
const LAYER = {
  app: { regex: into("app"), message: "Only app/ imports app/: pass server actions into components as props." },
  components: { regex: into("components"), message: "lib/ never imports UI: components sit above it." },
  auth: {
    regex: String.raw`^(@/lib/auth|(\.\./)+(lib/)?auth)(/|$)`,
    message: "The domain never imports lib/auth (the Auth.js adapter sits on top of it): admission rules live in lib/domain/access.",
  },
  db: {
    regex: String.raw`^((@/|(\.\./)+)lib/db(/|$)|@prisma/|pg$)`,
    message: "Components never touch the database: pages call lib/ read functions and pass the data in.",
  },
};
const forbid = (...layers) => ({
  "no-restricted-imports": ["error", { patterns: layers.map((name) => LAYER[name]) }],
});

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  { files: ["components/**"], rules: forbid("app", "db") },
  { files: ["lib/**"], rules: forbid("app", "components") },
  // Overrides the lib/** entry for these folders, so it repeats app and components.
  { files: ["lib/domain/**", "lib/validation/**"], rules: forbid("app", "components", "auth") },
  globalIgnores([".next/**", "node_modules/**", "lib/db/generated/**", "data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"]),
]);
