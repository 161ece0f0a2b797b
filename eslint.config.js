import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'chart/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
      // bson ships CJS and ESM builds; the driver uses the CJS one. Importing 'bson' from ESM gives
      // different classes, so `instanceof ObjectId` silently fails on driver-decoded documents.
      'no-restricted-imports': ['error', { paths: [{ name: 'bson', message: "Import BSON types from 'mongodb' (dual-package hazard: instanceof fails across the two bson builds)." }] }],
    },
  },
  {
    // Configuration is read in one module; everything else receives it.
    files: ['app/**/*.ts'],
    ignores: ['app/config/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read settings through app/config only.' }],
    },
  },
);
