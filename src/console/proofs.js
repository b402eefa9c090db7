// Checking the ledgers in the browser, with none of the server's word taken (docs/verifying.md):
// a signed tree head's or a report's Ed25519 signature under a published ledger key, an
// entry's RFC 9162 inclusion proof against a head's root, and the consistency of two heads.
// WebCrypto does the hashing and the signatures.

const bytes = (text) => new TextEncoder().encode(text);
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
const sha256 = async (data) => new Uint8Array(await crypto.subtle.digest('SHA-256', data));
const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const hex = (data) => [...data].map((b) => b.toString(16).padStart(2, '0')).join('');

// The published key `keyId` names, once the id is checked to be the key's own.
async function keyFor(keyId, keys) {
  for (const k of keys) {
    const raw = fromBase64(k.public_key);
    if (k.key_id === keyId && hex((await sha256(raw)).slice(0, 8)) === keyId) return raw;
  }
  return null;
}

// True when `signature` (base64) over `text` verifies under the published key `keyId`.
async function signedBy(keyId, text, signature, keys) {
  const raw = await keyFor(keyId, keys);
  if (!raw) return false;
  const key = await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
  return crypto.subtle.verify({ name: 'Ed25519' }, key, fromBase64(signature), bytes(text));
}

// True when the head's signature verifies under the ledger key it names.
export function headVerifies(head, keys) {
  const signed = `custodian-tree-head v1\n${head.log}\n${head.size}\n${head.root}\n${head.timestamp}\n`;
  return signedBy(head.key_id, signed, head.signature, keys);
}

// RFC 8785 (JCS) of a value of strings, integers, booleans, arrays and objects: ECMAScript's
// own serialisation of each primitive, object members sorted by their names' UTF-16 code units.
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

// True when a transparency report's signature verifies under the ledger key it names
// (docs/verifying.md, Reports): "custodian-report v1\n" and the JCS of the report without it.
export function reportVerifies(report, keys) {
  const { signature, ...signed } = report;
  if (!signature) return Promise.resolve(false);
  return signedBy(signature.key_id, `custodian-report v1\n${canonical(signed)}`, signature.value, keys);
}

const node = (left, right) => sha256(concat(new Uint8Array([1]), left, right));
// Every hash a proof names is SHA-256's: 32 bytes.
const hashes = (...list) => list.every((h) => h.length === 32);

// True when `leafHash` is leaf `index` of the tree of `size` leaves with root `root`: RFC 9162,
// 2.1.3.2 (hashes as bytes).
export async function verifyInclusion(index, size, leafHash, proof, root) {
  if (index >= size || !hashes(leafHash, root, ...proof)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await node(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

// True when the tree of `second` leaves with root `secondRoot` extends that of `first` leaves
// with root `firstRoot`: RFC 9162, 2.1.4.2 (hashes as bytes).
export async function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
  if (first > second || first === 0) return false;
  if (first === second) return proof.length === 0 && equal(firstRoot, secondRoot);
  if (!hashes(firstRoot, secondRoot, ...proof)) return false;
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  if (!path.length) return false;
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await node(c, fr);
      sr = await node(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = await node(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
}

// True when `leaf` (its exact text) is leaf `index` of the head's tree.
export async function includedIn(head, index, leaf, proof) {
  const leafHash = await sha256(concat(new Uint8Array([0]), bytes(leaf)));
  return verifyInclusion(index, head.size, leafHash, proof.map(fromBase64), fromBase64(head.root));
}

// True when the tree of head `second` extends that of head `first`.
export function consistent(first, second, proof) {
  return verifyConsistency(first.size, second.size, fromBase64(first.root), fromBase64(second.root),
                           proof.map(fromBase64));
}

// True when an audit entry's detail is the one its leaf commits to (SHA-256 of its compact JSON,
// keys in the order received).
export async function detailMatches(leaf, detail) {
  const committed = JSON.parse(leaf).detail_sha256;
  if (detail === null || detail === undefined) return committed === undefined ? true : null;  // erased
  return hex(await sha256(bytes(JSON.stringify(detail)))) === committed;
}
