import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    react: 'src/react/index.ts',
    server: 'src/server/index.ts',
    node: 'src/node/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  // Not shipped: the output is readable unminified code, and maps would double the package size.
  sourcemap: false,
  // Also for CJS (esbuild splits ESM only by default): without it each CJS entry inlines its own copy of the
  // core, so `hangup/react` and `hangup` would hold two different CallSession classes.
  splitting: true,
  clean: true,
  target: 'es2022',
  treeshake: true,
  // ioredis is loaded lazily by cluster mode only (`import()` in its own chunk), never by the core.
  external: ['react', 'ws', 'eventemitter3', 'ioredis'],
});
