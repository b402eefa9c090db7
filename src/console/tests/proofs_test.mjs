// The console's proof checks (proofs.js) against every RFC 9162 test vector of testdata/merkle
// (transparency-dev/merkle, Apache-2.0): each happy path verifies, each tampered copy
// ("wantErr") is refused. Node runs the same WebCrypto code the browser does.
// Usage: node proofs_test.mjs SOURCE_DIR
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const source = process.argv[2];
const { verifyInclusion, verifyConsistency } =
    await import(pathToFileURL(join(source, 'src/console/proofs.js')).href);

const fromBase64 = (text) => Uint8Array.from(Buffer.from(text || '', 'base64'));
const proofOf = (list) => (list || []).map(fromBase64);

function vectors(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...vectors(path));
    else if (name.endsWith('.json')) out.push({ path, v: JSON.parse(readFileSync(path, 'utf8')) });
  }
  return out;
}

let checked = 0;
const failures = [];
const expect = (ok, v, path) => {
  checked++;
  if (ok === v.wantErr) failures.push(`${path}: ${v.desc}: ${ok ? 'verified' : 'refused'}`);
};
const merkle = join(source, 'testdata/merkle');
for (const { path, v } of vectors(join(merkle, 'inclusion'))) {
  expect(await verifyInclusion(v.leafIdx, v.treeSize, fromBase64(v.leafHash), proofOf(v.proof),
                               fromBase64(v.root)), v, path);
}
const inclusion = checked;
for (const { path, v } of vectors(join(merkle, 'consistency'))) {
  expect(await verifyConsistency(v.size1, v.size2, fromBase64(v.root1), fromBase64(v.root2),
                                 proofOf(v.proof)), v, path);
}
console.log(`${inclusion} inclusion and ${checked - inclusion} consistency vectors checked; ` +
            `${failures.length} wrong`);
for (const f of failures) console.log(f);
if (failures.length || inclusion === 0 || checked === inclusion) process.exit(1);
