// Build dashboard/app/vendor/plotly-foodshed.min.js: plotly.js with only the trace types the
// dashboard draws (issue 15: the full plotly.js is 4.8 MB and its start-up is one 2-3 s task).
//
// It does what plotly.js's own partial bundles do (its `npm run custom-bundle -- --traces ...`,
// which needs a git checkout of plotly.js): take the package's lib/index.js, drop the `require`
// of every trace not asked for (calendars kept), and bundle it with the esbuild settings of the
// package's esbuild-config.js, attribute descriptions stripped, minified, the licence header on
// top. Everything comes from the exact versions in package.json / package-lock.json.
//
//   cd tools/plotly_bundle && npm ci && npm run build
//
// Then commit dashboard/app/vendor/plotly-foodshed.min.js and plotly-foodshed.json. The trace
// list below must cover every trace type dashboard/figures and the pages make;
// tests/dashboard/test_plotly_bundle.py checks it on the demo.
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';
import { environmentPlugin } from 'esbuild-plugin-environment';
import { glsl } from 'esbuild-plugin-glsl';
import InlineCSSPlugin from 'esbuild-plugin-inline-css';

// The trace types the dashboard draws (sorted; scatter is in every plotly.js bundle anyway).
const TRACES = ['bar', 'box', 'choroplethmap', 'scatter', 'scattermap'];

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkgDir = path.dirname(require.resolve('plotly.js/package.json'));
const version = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
const outDir = path.resolve(here, '../../dashboard/app/vendor');
const outFile = path.join(outDir, 'plotly-foodshed.min.js');

// 1. The index: lib/index.js without the traces we do not draw.
const mainIndex = readFileSync(path.join(pkgDir, 'lib/index.js'), 'utf8');
const required = [...mainIndex.matchAll(/require\('\.\/([a-z0-9]+)'\)/g)].map((m) => m[1]);
const allTraces = required.filter((name) => name !== 'core' && name !== 'calendars');
for (const t of TRACES) {
    // scatter is registered by lib/core.js itself
    if (t !== 'scatter' && !allTraces.includes(t)) throw new Error(`${t} is not a plotly.js ${version} trace type`);
}
let index = mainIndex;
for (const t of allTraces.filter((name) => !TRACES.includes(name))) {
    const dropped = index.replace(new RegExp(`\\s*require\\('\\./${t}'\\),`, 'g'), '');
    if (dropped === index) throw new Error(`could not drop require('./${t}') from lib/index.js`);
    index = dropped;
}
const indexFile = path.join(pkgDir, 'lib', 'index-foodshed.js');
writeFileSync(indexFile, index);

// 2. Attribute meta-data the browser never needs (what plotly.js's compress_attributes does):
//    `description`/`hrName` strings and joined string arrays, `requiredOpts`/`otherOpts` arrays,
//    each only where it is a whole property (followed by a comma or the closing brace).
const STR = String.raw`'(?:[^'\\\n]|\\.)*'`;
const STRS = String.raw`\[\s*(?:${STR}\s*,?\s*|//[^\n]*\n\s*)*\]`;
const prop = (names, value) => new RegExp(String.raw`\s*(?:${names}):\s*(?:${value})(?:\s*,|(?=\s*\}))`, 'g');
const META = [
    prop('description|hrName', `${STR}|${STRS}\\.join\\(\\s*${STR}\\s*\\)`),
    prop('requiredOpts|otherOpts', STRS),
];
const stripMeta = {
    name: 'strip-attribute-meta',
    setup(b) {
        b.onLoad({ filter: /[\\/]plotly\.js[\\/]src[\\/].*\.js$/ }, (args) => {
            let src = readFileSync(args.path, 'utf8');
            for (const re of META) src = src.replace(re, '');
            return { contents: src, loader: 'js' };
        });
    },
};

// 3. Bundle with plotly.js's own esbuild settings (esbuild-config.js), minified.
const tmp = `${outFile}.tmp`;
try {
    await build({
        entryPoints: [indexFile],
        outfile: tmp,
        format: 'iife',
        globalName: 'Plotly',
        bundle: true,
        minify: true,
        sourcemap: false,
        plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false }), stripMeta],
        alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
        define: { global: 'window', 'define.amd': 'false' },
        target: 'es2016',
        logLevel: 'warning',
    });
} finally {
    rmSync(indexFile, { force: true });
}

// plotly.js's own header (its copyright line), naming the bundle as its partial bundles do.
const distHeader = readFileSync(path.join(pkgDir, 'dist/plotly.min.js'), 'utf8').match(/^\/\*\*[\s\S]*?\*\/\n/)[0];
const header = distHeader
    .replace(`plotly.js v${version}`, `plotly.js v${version} (Foodshed partial bundle: ${TRACES.join(', ')} - minified)`)
    .replace('MIT license', 'MIT license (LICENSE-plotly.js.txt)');
const body = header + readFileSync(tmp, 'utf8');
writeFileSync(tmp, body);
renameSync(tmp, outFile);
writeFileSync(path.join(outDir, 'LICENSE-plotly.js.txt'), readFileSync(path.join(pkgDir, 'LICENSE'), 'utf8'));
const manifest = {
    plotly_js: version,
    traces: TRACES,
    bytes: Buffer.byteLength(body),
    sha256: createHash('sha256').update(body).digest('hex'),
};
writeFileSync(path.join(outDir, 'plotly-foodshed.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`${path.relative(process.cwd(), outFile)}: ${manifest.bytes} bytes, traces ${TRACES.join(',')}`);
