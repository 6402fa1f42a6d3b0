// The linter holds the shape of the code (README "Layout"): layers that import one way, no import cycles, no promise
// left floating, every switch over a union exhaustive, lines of at most 160 characters.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

/**
 * Layers, top to bottom: admin → sync (feeds and schedule) → flows (customers, loyalty/flows, audiences, notifications,
 * products) → core, ledger,
 * loyalty/rules → clients and persistence (pepper, crmcom, upstream, persistence) → config, common.
 * A folder may import its own layer's peers only where listed, and anything below it; never above.
 */
// observability (logs, metrics, feed health) sits just above the clients and persistence, so the engine can count;
// operations (audit, alerts, health, retention) sits just below admin. The flows are customers, loyalty and the rest of
// Pepper's CRM guide (audiences, notifications, products: independent of each other and of customers/loyalty).
const FLOWS = ['customers', 'loyalty', 'audiences', 'notifications', 'products'];
const TOP = ['sync', 'operations', 'admin', 'cli'];
const ABOVE = {
  common: ['config', 'persistence', 'upstream', 'pepper', 'crmcom', 'observability', 'core', 'ledger', ...FLOWS, ...TOP],
  config: ['persistence', 'upstream', 'pepper', 'crmcom', 'observability', 'core', 'ledger', ...FLOWS, ...TOP],
  upstream: ['persistence', 'pepper', 'crmcom', 'observability', 'core', 'ledger', ...FLOWS, ...TOP],
  pepper: ['persistence', 'crmcom', 'observability', 'core', 'ledger', ...FLOWS, ...TOP],
  crmcom: ['persistence', 'pepper', 'observability', 'core', 'ledger', ...FLOWS, ...TOP],
  persistence: ['pepper', 'crmcom', 'observability', 'core', 'ledger', ...FLOWS, ...TOP],
  observability: ['pepper', 'crmcom', 'core', 'ledger', ...FLOWS, ...TOP],
  ledger: ['core', ...FLOWS, ...TOP],
  core: ['ledger', ...FLOWS, ...TOP],
  customers: ['loyalty', 'audiences', 'notifications', 'products', ...TOP],
  loyalty: ['audiences', 'notifications', 'products', ...TOP],
  audiences: ['customers', 'loyalty', 'notifications', 'products', ...TOP],
  notifications: ['customers', 'loyalty', 'audiences', 'products', ...TOP],
  products: ['customers', 'loyalty', 'audiences', 'notifications', ...TOP],
  sync: ['operations', 'admin', 'cli'],
  operations: ['admin', 'cli'],
  admin: ['cli'],
  cli: ['admin', 'sync'],
  // `npm run preflight` is a top layer like cli (which runs it): it builds on the clients and rules, nothing imports it.
  preflight: ['admin', 'sync', 'cli'],
};
for (const [folder, above] of Object.entries(ABOVE)) if (folder !== 'cli' && folder !== 'preflight') above.push('preflight');

/** import paths (relative) that reach into one of the named top-level folders of src */
const patternsFor = (folders) => folders.flatMap((f) => [`../${f}`, `../${f}/*`, `../../${f}`, `../../${f}/*`, `../../../${f}/*`]);

const layerRules = Object.entries(ABOVE).map(([folder, forbidden]) => ({
  files: [`src/${folder}/**/*.ts`],
  ignores: ['**/*.spec.ts'],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: patternsFor(forbidden), message: `src/${folder} may not import a layer above it (see README "Layout").` },
          { group: ['**/simulators/**', '**/packages/**', '**/test/**'], message: 'The product never imports the simulators or test code.' },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'dist-demo/**', 'node_modules/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'packages/**/*.ts', 'bench/**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin, 'import-x': importX },
    settings: {
      'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'max-len': ['error', { code: 160, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true }],
    },
  },
  // Loyalty's pure rules sit beside the ledger and read its keys only; they never reach the flows above them.
  ...layerRules,
  {
    files: ['src/loyalty/rules/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../flows', '../flows/*', ...patternsFor(['sync', 'admin', 'customers', 'core', 'cli'])], message: 'Loyalty rules are pure: no flows, jobs or I/O.' },
            { group: ['../../ledger/*', '!../../ledger/keys'], message: 'Loyalty rules may use the ledger keys only.' },
          ],
        },
      ],
    },
  },
);
