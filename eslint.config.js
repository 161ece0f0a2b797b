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
      // Type-only imports are erased, so they are safe.
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ name: 'bson', allowTypeImports: true, message: "Import BSON values from app/source/bson.ts or 'mongodb' (dual-package hazard: instanceof fails across the two bson builds)." }] }],
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
