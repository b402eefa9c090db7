#!/usr/bin/python3
"""docs/verifying.md's recipes, run as written by someone who trusts none of custodian's code:
a package produced by a fresh instance, its keys as GET /api/v1/keys publishes them, the
manifest's signature and a tree head's checked with OpenSSL's CLI (`openssl pkeyutl -verify
-rawin`, Ed25519), the files' SHA-256 with hashlib, and the package's inclusion proof and a
consistency proof between two published heads with the RFC 9162 verifier below (written from
the RFC for this test, apart from src/ledger), which must first agree with every RFC 9162 test
vector in testdata/merkle/. Then a transparency report: its own signature checked by running
docs/verifying.md's recipe as written (Python and `openssl pkeyutl`), a copy with a count
raised refused by it, and the disclosure leaves an outside auditor's token reads checked against
their heads and rebuilding the report's head. Only the Python standard library and the openssl
binary.

Usage: standard_tools_test.py CUSTODIAN_BINARY SOURCE_DIR"""
import base64
import glob
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'server'))
from api_testing import Instance, call  # noqa: E402

BINARY, SOURCE = sys.argv[1], sys.argv[2]
failures = []


# --- RFC 9162, section 2.1: SHA-256, leaves under 0x00, nodes under 0x01.
def leaf_hash(leaf):
    return hashlib.sha256(b'\x00' + leaf).digest()


def node_hash(left, right):
    return hashlib.sha256(b'\x01' + left + right).digest()


def verify_inclusion(index, size, leaf, root, proof):
    """RFC 9162 section 2.1.3.2: `leaf` (its hash) is leaf `index` of the tree of `size`."""
    if index >= size or len(leaf) != 32 or len(root) != 32:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(size1, size2, root1, root2, proof):
    """RFC 9162 section 2.1.4.2: the tree of `size2` leaves extends the tree of `size1`."""
    if size1 == 0 or size1 > size2:
        return False  # the RFC proves nothing about the empty tree
    if size1 == size2:
        return not proof and root1 == root2
    if not proof:
        return False
    path = list(proof)
    if size1 & (size1 - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == root1 and sr == root2


def b64(text):
    return base64.b64decode(text, validate=True)


def tree_root(hashes):
    """RFC 9162 section 2.1.1: MTH of the leaf hashes."""
    if not hashes:
        return hashlib.sha256(b'').digest()
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node_hash(tree_root(hashes[:k]), tree_root(hashes[k:]))


def check_vectors():
    counts = {'inclusion': 0, 'consistency': 0}
    for path in sorted(glob.glob(os.path.join(SOURCE, 'testdata/merkle/inclusion/*/*.json'))):
        v = json.load(open(path))
        got = verify_inclusion(v['leafIdx'], v['treeSize'], b64(v['leafHash'] or ''), b64(v['root'] or ''),
                               [b64(p) for p in v['proof'] or []])
        if got == v['wantErr']:
            failures.append('%s: the verifier says %s' % (path, got))
        counts['inclusion'] += 1
    for path in sorted(glob.glob(os.path.join(SOURCE, 'testdata/merkle/consistency/*/*.json'))):
        v = json.load(open(path))
        got = verify_consistency(v['size1'], v['size2'], b64(v['root1'] or ''), b64(v['root2'] or ''),
                                 [b64(p) for p in v['proof'] or []])
        if got == v['wantErr']:
            failures.append('%s: the verifier says %s' % (path, got))
        counts['consistency'] += 1
    if counts['inclusion'] < 50 or counts['consistency'] < 50:
        failures.append('too few RFC 9162 vectors found: %s' % counts)
    return counts


# --- OpenSSL: an Ed25519 public key is its 32 bytes after a fixed 12-byte SubjectPublicKeyInfo
# prefix (RFC 8410), whose base64 joins the key's (docs/verifying.md's printf); pkeyutl -rawin
# verifies the message itself (Ed25519 is pure).
SPKI_PREFIX_B64 = 'MCowBQYDK2VwAyEA'


def pem_of(public_key_b64, path):
    if base64.b64decode(SPKI_PREFIX_B64) != bytes.fromhex('302a300506032b6570032100') or len(b64(public_key_b64)) != 32:
        failures.append('not an Ed25519 key: %s' % public_key_b64)
    with open(path, 'w') as f:
        f.write('-----BEGIN PUBLIC KEY-----\n%s%s\n-----END PUBLIC KEY-----\n' % (SPKI_PREFIX_B64, public_key_b64))


def key_id_of(public_key_b64):
    return hashlib.sha256(b64(public_key_b64)).digest()[:8].hex()


def openssl_verifies(pem, message, signature, work):
    with open(os.path.join(work, 'message'), 'wb') as f:
        f.write(message)
    with open(os.path.join(work, 'signature'), 'wb') as f:
        f.write(signature)
    done = subprocess.run(['openssl', 'pkeyutl', '-verify', '-pubin', '-inkey', pem, '-rawin',
                           '-in', os.path.join(work, 'message'), '-sigfile', os.path.join(work, 'signature')],
                          capture_output=True, text=True)
    return done.returncode == 0 and 'Signature Verified Successfully' in done.stdout


def head_bytes(head):
    return ('custodian-tree-head v1\n%s\n%d\n%s\n%s\n' %
            (head['log'], head['size'], head['root'], head['timestamp'])).encode()


def key_of(keys, key_id):
    found = [k for k in keys if k['key_id'] == key_id and key_id_of(k['public_key']) == key_id]
    if len(found) != 1:
        failures.append('key %s: %d published' % (key_id, len(found)))
        return None
    return found[0]


def check_package(instance, work):
    def cli(*args):
        return json.loads(instance.cli(*args))
    case = cli('case', 'submit', '--actor', 'intake', os.path.join(SOURCE, 'examples/requests/hsi-child-safety-court-order.json'))['id']
    cli('case', 'review', case, '--actor', 'reviewer', '--decision', 'approve', '--confirm-investigation')
    first = cli('ledger', 'head', '--log', 'disclosures')  # a head before the production
    cli('case', 'approve', case, '--actor', 'approver')
    package = os.path.join(work, 'package.zip')
    instance.cli('produce', case, '--out', package, '--actor', 'reviewer')
    files = {n: zipfile.ZipFile(package).read(n) for n in zipfile.ZipFile(package).namelist()}

    instance.serve()
    keys = json.loads(call(instance.port, 'GET', '/api/v1/keys').body)
    package_ledger = json.loads(files['ledger.json'])
    second = package_ledger['tree_head']
    answer = call(instance.port, 'GET', '/api/v1/ledger/disclosures/consistency?first=%d&second=%d' %
                  (first['size'], second['size']))
    instance.stop()
    if answer.status != 200:
        failures.append('consistency: HTTP %d %s' % (answer.status, answer.body))
        return
    consistency = json.loads(answer.body)

    # The manifest: its signature with the production key it names, then each file's SHA-256.
    manifest = json.loads(files['manifest.json'])
    production_key = key_of(keys['production'], manifest['key_id'])
    if not production_key:
        return
    pem = os.path.join(work, 'production.pem')
    pem_of(production_key['public_key'], pem)
    if not openssl_verifies(pem, files['manifest.json'], files['manifest.sig'], work):
        failures.append('openssl does not verify manifest.sig over manifest.json')
    changed = files['manifest.json'].replace(b'"case"', b'"Case"', 1)
    if openssl_verifies(pem, changed, files['manifest.sig'], work):
        failures.append('openssl verifies manifest.sig over a changed manifest.json')
    for name, sha in manifest['files'].items():
        if hashlib.sha256(files[name]).hexdigest() != sha:
            failures.append('%s: not the SHA-256 the manifest names' % name)
    if set(files) != set(manifest['files']) | {'manifest.json', 'manifest.sig', 'ledger.json'}:
        failures.append('the package holds %s' % sorted(files))

    # ledger.json: the leaf names the manifest, is in the signed head, which extends `first`.
    leaf = package_ledger['leaf'].encode('utf-8')
    if json.loads(leaf)['manifest_sha256'] != hashlib.sha256(files['manifest.json']).hexdigest():
        failures.append('ledger.json/leaf: not the manifest\'s SHA-256')
    ledger_key = key_of(keys['ledger'], second['key_id'])
    if not ledger_key:
        return
    ledger_pem = os.path.join(work, 'ledger.pem')
    pem_of(ledger_key['public_key'], ledger_pem)
    for head in (first, second):
        if not openssl_verifies(ledger_pem, head_bytes(head), b64(head['signature']), work):
            failures.append('openssl does not verify the head of size %d' % head['size'])
    if not verify_inclusion(package_ledger['index'], second['size'], leaf_hash(leaf), b64(second['root']),
                            [b64(p) for p in package_ledger['proof']]):
        failures.append('ledger.json: the inclusion proof does not verify')
    if verify_inclusion(package_ledger['index'], second['size'], leaf_hash(leaf + b' '), b64(second['root']),
                        [b64(p) for p in package_ledger['proof']]):
        failures.append('ledger.json: the inclusion proof verifies a changed leaf')
    if first['size'] >= second['size']:
        failures.append('the production did not grow the log: %d, %d' % (first['size'], second['size']))
    if not verify_consistency(first['size'], second['size'], b64(first['root']), b64(second['root']),
                              [b64(p) for p in consistency['proof']]):
        failures.append('the consistency proof between the heads does not verify')

    # `ledger prove` prints the same form, and it verifies the same way.
    proved = json.loads(instance.cli('ledger', 'prove', '--log', 'disclosures', '--index',
                                     str(package_ledger['index']), '--size', str(second['size'])))
    if list(proved) != list(package_ledger) or proved['leaf'] != package_ledger['leaf']:
        failures.append('ledger prove: %s, not ledger.json\'s form %s' % (list(proved), list(package_ledger)))


def report_recipe():
    """The shell block of docs/verifying.md's Reports section: it reads report.json and
    ledger.pem in the directory it runs in."""
    text = open(os.path.join(SOURCE, 'docs/verifying.md')).read()
    section = text[text.index('## Reports'):]
    blocks = re.findall(r'```sh\n(.*?)```', section, re.S)
    if len(blocks) != 1 or 'custodian-report v1' not in blocks[0]:
        failures.append('docs/verifying.md, Reports: not one recipe for the report\'s signature')
        return 'false'
    return blocks[0]


def check_report(instance, work):
    """A report's signature by the recipe; the leaves an outside auditor reads make its head."""
    path = os.path.join(work, 'report.json')
    instance.cli('report', '--from', '2026-01-01', '--to', '2030-01-01', '--actor', 'auditor', '--out', path)
    report = json.load(open(path))
    instance.serve()
    keys = json.loads(call(instance.port, 'GET', '/api/v1/keys').body)
    token = {'Authorization': 'Bearer ' + instance.external_auditor_token}
    pages, start = [], 0
    while True:
        answer = call(instance.port, 'GET', '/api/v1/ledger/disclosures/entries?start=%d&count=2' % start, token)
        if answer.status != 200:
            failures.append('disclosure entries: HTTP %d %s' % (answer.status, answer.body))
            break
        page = json.loads(answer.body)
        if not page['entries']:
            break
        pages.append(page)
        start += len(page['entries'])
    refused = call(instance.port, 'GET', '/api/v1/ledger/audit/entries', token).status
    instance.stop()
    if refused != 403:
        failures.append('the outside auditor\'s token reads the audit log: HTTP %d' % refused)

    key = key_of(keys['ledger'], report['signature']['key_id'])
    if not key:
        return
    pem_of(key['public_key'], os.path.join(work, 'ledger.pem'))
    recipe = report_recipe()

    def recipe_verifies(copy):
        with open(path, 'w') as f:
            json.dump(copy, f, indent=2, ensure_ascii=False)
        done = subprocess.run(['bash', '-c', 'set -e\n' + recipe], cwd=work, capture_output=True, text=True)
        return done.returncode == 0 and 'Signature Verified Successfully' in done.stdout
    if not recipe_verifies(report):
        failures.append('docs/verifying.md\'s recipe does not verify the report\'s signature')
    raised = json.loads(json.dumps(report))
    raised['totals']['requests'] += 1
    if recipe_verifies(raised):
        failures.append('docs/verifying.md\'s recipe verifies a report with a count raised')
    head = report['tree_head']
    if not openssl_verifies(os.path.join(work, 'ledger.pem'), head_bytes(head), b64(head['signature']), work):
        failures.append('openssl does not verify the report\'s tree head')

    # The leaves: each proved against its page's signed head, and the first `size` make the report's root.
    leaves = {}
    for page in pages:
        page_head = page['tree_head']
        if not openssl_verifies(os.path.join(work, 'ledger.pem'), head_bytes(page_head), b64(page_head['signature']), work):
            failures.append('openssl does not verify a page\'s head of size %d' % page_head['size'])
        for entry in page['entries']:
            leaf = entry['leaf'].encode('utf-8')
            if not verify_inclusion(entry['index'], page_head['size'], leaf_hash(leaf), b64(page_head['root']),
                                    [b64(p) for p in entry['proof']]):
                failures.append('disclosure leaf %d: its proof does not verify' % entry['index'])
            leaves[entry['index']] = leaf
    if sorted(leaves)[:head['size']] != list(range(head['size'])):
        failures.append('the pages lack leaves of the report\'s head')
    elif tree_root([leaf_hash(leaves[i]) for i in range(head['size'])]) != b64(head['root']):
        failures.append('the leaves do not make the report\'s head')
    return len(pages), head['size']


def main():
    counts = check_vectors()
    instance = Instance(BINARY, SOURCE)
    try:
        with tempfile.TemporaryDirectory() as work:
            check_package(instance, work)
            read = check_report(instance, work)
    finally:
        instance.close()
    print('RFC 9162 vectors: %d inclusion, %d consistency' % (counts['inclusion'], counts['consistency']))
    if read:
        print('report: signature checked by docs/verifying.md\'s recipe; %d pages of disclosure leaves make its '
              'head of %d' % read)
    for f in failures:
        print('FAIL: ' + f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
