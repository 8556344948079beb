// Bundles the WebUI: one entry (src/main.ts) → one ES module (dist/main.js) with its
// sourcemap. esbuild reads tsconfig.json, so @argus/* come from the packages' sources and
// only what the page uses of them is kept. `npm run build` runs it after tsc.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * zod's classic entry re-exports every locale as `z.locales` (about 260 kB minified), and
 * `z` is used as a whole namespace, so esbuild cannot drop them. The page only needs the
 * default English messages, which zod's entry installs from `locales/en.js` directly: the
 * locale index is replaced by an empty module.
 */
const noZodLocales = {
  name: 'no-zod-locales',
  setup(b) {
    b.onResolve({ filter: /[\\/]locales[\\/]index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? { path: 'zod-locales', namespace: 'empty' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: 'export {};', loader: 'js' }));
  },
};

await build({
  entryPoints: [path.join(here, 'src', 'main.ts')],
  outfile: path.join(here, 'dist', 'main.js'),
  tsconfig: path.join(here, 'tsconfig.json'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [noZodLocales],
});
