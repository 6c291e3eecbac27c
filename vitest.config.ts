import { defineConfig } from 'vitest/config';

// Four projects: `npm test` runs them all; `npm run test:unit` only the first (no build, no root).
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    projects: [
      // pure and fake-/proc tests: no build, no network; root-only cases skip when not root
      { extends: true, test: { name: 'unit', include: ['test/{proc,model,store,ui,report,commands,collect,text}/**/*.test.{ts,tsx}'] } },
      // the built CLI (bin/sshtop) over captured trees: needs `npm run build`, not root
      { extends: true, test: { name: 'cli', include: ['test/*.test.ts'] } },
      // the real-sshd lab: root, apt, test users; each suite its own sshd on a free port
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.e2e.test.ts'] } },
      // what users install: man pages and completion, npm pack, the .deb in a debootstrapped root
      { extends: true, test: { name: 'release', include: ['test/release/**/*.test.ts'] } },
    ],
  },
});
