import js from '@eslint/js';
import drizzle from 'eslint-plugin-drizzle';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Layering, checked on every import. A part is a top-level folder: the aliased form ('@/db/…')
// and a relative climb into it ('../../db/…') both count. `import type` is erased at build, so
// browser code may keep types from server/ (the AppRouter, a service's output); a type from db/
// would still tie a screen to the tables, so that stays banned.
const ban = (parts, message) => ({ regex: `^(?:@/|(?:\\.\\./)+)(?:${parts.join('|')})(?:/|$)`, message, caseSensitive: true });
/** Server values stay on the server, apart from the `exceptions` (paths under server/). */
const serverTypesOnly = (exceptions) => ({
  regex: `^(?:@/|(?:\\.\\./)+)server(?!/store(?:/|$)${exceptions.map((e) => `|/${e}$`).join('')})(?:/|$)`,
  allowTypeImports: true,
  caseSensitive: true,
  message: 'Browser code imports only types from server/ (`import type`).',
});

const TOP = ban(['demo', 'bench', 'e2e'], 'demo/, bench/ and e2e/ sit on top of the product: nothing in it imports them.');
const TEST_HELPERS = ban(['testing'], 'Only tests import the shared test helpers in testing/.');
const AGENT = ban(['agent'], 'The control plane never imports agent/ at run time: share the code through lib/.');
const SCREENS = ban(['components', 'app'], 'The backend never imports screens (components/, app/).');
const DATABASE = ban(['db', 'server/store'], 'Browser code never reaches the database (db/, server/store/): take its types from lib/ or the router.');
const LIB = ban(['server', 'db', 'components', 'app', 'agent', 'demo', 'bench', 'e2e'], 'lib/ is the shared bottom: it imports only lib/ and packages.');
const AGENT_OWN = ban(['server', 'db', 'components', 'app', 'demo', 'bench', 'e2e'], 'The agent imports only lib/ and packages.');
const DB_OWN = ban(['server', 'components', 'app', 'agent', 'demo', 'bench', 'e2e'], 'db/ imports only lib/ (enums, shared types) and packages.');
const ROUTES = ban(['app'], 'components/ never import routes from app/.');

const TESTS = ['**/*.test.ts', '**/*.test.tsx'];
const code = (part) => ({ files: [`${part}/**/*.{ts,tsx}`], ignores: TESTS });
const tests = (part) => ({ files: TESTS.map((glob) => `${part}/${glob}`) });
/** no-restricted-imports does not see `import()`: ban the same paths there, type exceptions aside. */
const dynamicImports = (patterns) =>
  patterns.map(({ regex, message }) => ({
    // esquery ends a regex literal at the first '/', escaped or not.
    selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\x2F')}/]`,
    message,
  }));
/** Each file must match exactly one layer block: a later block replaces a rule's options, never extends them. */
const layer = (name, fileSet, patterns) => ({
  name: `layers/${name}`,
  ...fileSet,
  rules: {
    '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
    'no-restricted-syntax': ['error', ...dynamicImports(patterns)],
  },
});

const layers = [
  layer('lib', code('lib'), [LIB, TEST_HELPERS]),
  layer('lib tests', tests('lib'), [LIB]),
  layer('agent', code('agent'), [AGENT_OWN, TEST_HELPERS]),
  layer('agent tests', tests('agent'), [AGENT_OWN]),
  layer('db', code('db'), [DB_OWN, TEST_HELPERS]),
  layer('db tests', tests('db'), [DB_OWN]),
  layer('server', code('server'), [SCREENS, AGENT, TOP, TEST_HELPERS]),
  // A test may run the real agent against the gateway: that is not the control plane at run time.
  layer('server tests', tests('server'), [SCREENS, TOP]),
  layer('composition root', { files: ['server.ts'] }, [SCREENS, AGENT, TOP, TEST_HELPERS]),
  layer('components', code('components'), [DATABASE, serverTypesOnly([]), AGENT, ROUTES, TOP, TEST_HELPERS]),
  layer('components tests', tests('components'), [DATABASE, serverTypesOnly([]), AGENT, ROUTES, TOP]),
  // Pages and layouts render on the server but belong to the screens: they may ask who is signed in, nothing more.
  layer('app', { files: ['app/**/*.{ts,tsx}'], ignores: [...TESTS, 'app/**/route.ts'] }, [DATABASE, serverTypesOnly(['auth/current-user']), AGENT, TOP, TEST_HELPERS]),
  layer('app tests', tests('app'), [DATABASE, serverTypesOnly(['auth/current-user']), AGENT, TOP]),
  layer('app route handlers', { files: ['app/**/route.ts'] }, [AGENT, TOP, TEST_HELPERS]),
];

export default tseslint.config(
  { ignores: ['.next/**', 'node_modules/**', 'data/**', 'test-results/**', 'playwright-report/**', 'next-env.d.ts', 'db/migrations/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { drizzle },
    rules: {
      // An unqualified delete or update would wipe a whole table.
      'drizzle/enforce-delete-with-where': ['error', { drizzleObjectName: ['db', 'tx'] }],
      'drizzle/enforce-update-with-where': ['error', { drizzleObjectName: ['db', 'tx'] }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // React code only: Playwright fixtures also call a function named `use`.
    files: ['app/**/*.tsx', 'components/**/*.{ts,tsx}', 'lib/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    // Benchmarks and scripts print their figures.
    files: ['bench/**', 'scripts/**', 'e2e/**'],
    rules: { 'no-console': 'off' },
  },
  ...layers,
);
