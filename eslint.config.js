// @ts-check
/**
 * The lint gate (`npm run lint`, part of `npm test`): typescript-eslint's type-aware `strictTypeChecked`
 * preset plus `switch-exhaustiveness-check` over every TypeScript source, the portal's TSX included (the
 * project service types each file with its nearest tsconfig: portal/src with portal/tsconfig.json, whose
 * `jsxImportSource` is Preact); Prettier owns formatting and knip unused files, exports and dependencies.
 * Each rule turned off says why.
 */
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', 'docs/**', 'portal/src/api/schema.ts'] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // A leading underscore marks a value left out on purpose (a field dropped by rest destructuring, an unused parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // `() => doSomething()` is the idiomatic event handler and callback; a void value used anywhere else is still refused.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Numbers and booleans read naturally in messages and log lines; objects and nullish values stay refused.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read HTTP answers as parsed JSON (`ApiResponse<any>`): the answer's shape is exactly what the
      // assertions check, so typing each one first would only restate them.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // In a test, `!` is an assertion: a missing value fails the test on that very line.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
