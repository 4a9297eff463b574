// Builds api/assets/explore-lib.min.js, the drawing library of the /explore page, from the
// npm packages pinned in package-lock.json, and writes the licences of every package in
// it into api/assets/LICENSES.txt. With --check it writes nothing and fails when the
// committed files differ from what it would write.
import { build } from 'esbuild';
import { readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const assets = join(here, '..', '..', 'assets');
const bundlePath = join(assets, 'explore-lib.min.js');
const licensesPath = join(assets, 'LICENSES.txt');
const check = process.argv.includes('--check');

const result = await build({
  entryPoints: [join(here, 'entry.mjs')],
  bundle: true,
  minify: true,
  format: 'iife',
  globalName: 'ExploreLib',
  target: 'es2020',
  legalComments: 'none',
  banner: { js: '/* The /explore drawing library: sigma, graphology and their dependencies, MIT licensed (see LICENSES.txt). Built by api/testdata/explore/vendor.mjs. */' },
  metafile: true,
  write: false,
  logLevel: 'warning',
});
const bundle = result.outputFiles[0].text;

// The packages whose code is in the bundle, by the node_modules folder of each input.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (!m || packages.has(m[1])) continue;
  const dir = join(here, 'node_modules', m[1]);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  if (!file) throw new Error(`${m[1]} has no licence file`);
  packages.set(m[1], { version: pkg.version, text: readFileSync(join(dir, file), 'utf8').trim() });
}

// LICENSES.txt holds one "=== name-version" section per vendored package; the sections of
// this bundle's packages are replaced, the others (the playground's) kept as they are.
const marker = ' (in explore-lib.min.js)';
const current = readFileSync(licensesPath, 'utf8');
const kept = current.split(/^(?==== )/m).filter((s) => s.trim() && !s.split('\n')[0].endsWith(marker));
const added = [...packages].sort(([a], [b]) => a.localeCompare(b))
  .map(([name, p]) => `=== ${name}-${p.version}${marker}\n${p.text}\n`);
const licenses = kept.map((s) => s.replace(/\n*$/, '\n')).concat(added).join('');

if (check) {
  const stale = [];
  if (readFileSync(bundlePath, 'utf8') !== bundle) stale.push(bundlePath);
  if (current !== licenses) stale.push(licensesPath);
  if (stale.length) {
    console.error(`not what vendor.mjs builds from package-lock.json; run npm run vendor:\n  ${stale.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`vendored files up to date: ${[...packages.keys()].join(', ')}`);
} else {
  writeFileSync(bundlePath, bundle);
  writeFileSync(licensesPath, licenses);
  console.log(`wrote ${bundlePath} (${bundle.length} bytes): ${[...packages.keys()].join(', ')}`);
}
