// The linter holds the shape of the code (README "Layout"): layers that import one way, no import cycles, no promise
// left floating, every switch over a union exhaustive, lines of at most 160 characters.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

/**
 * Layers, top to bottom: admin → sync (feeds and schedule) → flows (customers, loyalty/flows) → core, ledger,
 * loyalty/rules → clients and persistence (pepper, crmcom, upstream, persistence) → config, common.
 * A folder may import its own layer's peers only where listed, and anything below it; never above.
 */
const ABOVE = {
  common: ['config', 'persistence', 'upstream', 'pepper', 'crmcom', 'core', 'ledger', 'loyalty', 'customers', 'sync', 'admin', 'cli'],
  config: ['persistence', 'upstream', 'pepper', 'crmcom', 'core', 'ledger', 'loyalty', 'customers', 'sync', 'admin', 'cli'],
  upstream: ['persistence', 'pepper', 'crmcom', 'core', 'ledger', 'loyalty', 'customers', 'sync', 'admin', 'cli'],
  pepper: ['persistence', 'crmcom', 'core', 'ledger', 'loyalty', 'customers', 'sync', 'admin', 'cli'],
  crmcom: ['persistence', 'pepper', 'core', 'ledger', 'loyalty', 'customers', 'sync', 'admin', 'cli'],
  persistence: ['pepper', 'crmcom', 'core', 'ledger', 'loyalty', 'customers', 'sync', 'admin', 'cli'],
  ledger: ['core', 'loyalty', 'customers', 'sync', 'admin', 'cli'],
  core: ['ledger', 'loyalty', 'customers', 'sync', 'admin', 'cli'],
  customers: ['loyalty', 'sync', 'admin', 'cli'],
  loyalty: ['sync', 'admin', 'cli'],
  sync: ['admin', 'cli'],
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
    files: ['src/**/*.ts', 'test/**/*.ts', 'packages/**/*.ts'],
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
