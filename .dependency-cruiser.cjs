// The one-way layers of src/, checked by `npm run lint:deps` (and first thing in `npm test`).
// Read bottom-up: text/ and proc's pure leaf (types.ts, parse*.ts) import nothing of ours; proc/
// reads and never looks up; model/ derives from proc's facts; collect/ joins the two; store/,
// report/, ui/ and act/ sit on that; commands/ run a mode; cli/ parses and dispatches.
/** proc's pure leaf: the facts the reader gathers and the parsers (the model may import these) */
const PROC_LEAF = '^src/proc/(types|parse[^/]*)[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'no import cycles: a cycle has no bottom, so no layer can be read on its own',
      from: {},
      to: { circular: true },
    },
    {
      name: 'text-is-a-leaf',
      severity: 'error',
      comment: 'text/ (sanitize, cells, durations) is imported by anyone, so it imports nothing',
      from: { path: '^src/text/' },
      to: { pathNot: '^src/text/' },
    },
    {
      name: 'proc-leaf-is-pure',
      severity: 'error',
      comment: "proc's types and parsers are what the model may import: no I/O, nothing of ours but each other and text/",
      from: { path: PROC_LEAF },
      to: { pathNot: [PROC_LEAF, '^src/text/'] },
    },
    {
      name: 'proc-reads-only',
      severity: 'error',
      comment: 'proc/ reads the system and hands up raw facts: it never imports what is built on it',
      from: { path: '^src/proc/' },
      to: { path: '^src/(model|collect|store|report|ui|act|commands|cli)/' },
    },
    {
      name: 'model-derives-only',
      severity: 'error',
      comment: "model/ is pure derivation: only proc's types and parsers, text/, and no node built-ins",
      from: { path: '^src/model/' },
      to: { pathNot: ['^src/model/', PROC_LEAF, '^src/text/'] },
    },
    {
      name: 'collect-below-its-users',
      severity: 'error',
      comment: 'the collector feeds the store, the reports, the UI and the commands; it imports none of them',
      from: { path: '^src/collect/' },
      to: { path: '^src/(store|report|ui|act|commands|cli)/' },
    },
    {
      name: 'act-stands-alone',
      severity: 'error',
      comment: 'act/ (signal, audit, tty warning) is called by commands; it knows no screen, report or store',
      from: { path: '^src/act/' },
      to: { path: '^src/(collect|store|report|ui|commands|cli)/' },
    },
    {
      name: 'ui-never-loads-act',
      severity: 'error',
      comment:
        'watch mode (and --json, --once) must never load the signalling code: the UI, the reports and the store name act/ types only (commands/tui.tsx loads it lazily)',
      from: { path: '^src/(ui|report|store)/' },
      to: { path: '^src/act/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'middle-layers-below-commands',
      severity: 'error',
      comment: 'store/, report/ and ui/ are used by commands; they do not run modes nor parse arguments',
      from: { path: '^src/(store|report|ui)/' },
      to: { path: '^src/(commands|cli)/' },
    },
    {
      name: 'commands-below-cli',
      severity: 'error',
      comment: 'cli/ parses and dispatches to commands/; a command takes the parsed options as types only',
      from: { path: '^src/commands/' },
      to: { path: '^src/cli/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'an import that resolves to nothing',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // type-only imports are dependencies too (and are what ui-never-loads-act tells apart)
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
