#!/usr/bin/python3
"""docs/api.md, followed literally: the shell blocks of its walk through the API with curl,
run in order in one bash at the repository's root against a fresh `custodian serve` (the
blocks make it), each command's failure the test's. A block that fails is named with the
server's log.

Usage: api_doc_test.py CUSTODIAN_BINARY SOURCE_DIR"""
import os
import re
import subprocess
import sys


BINARY, SOURCE = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
SECTION = '## A walk through the API with curl'


def main():
    text = open(os.path.join(SOURCE, 'docs/api.md')).read()
    if SECTION not in text:
        print('docs/api.md has no section "%s"' % SECTION)
        return 1
    section = text[text.index(SECTION):]
    section = section[:section.find('\n## ', 1)] if '\n## ' in section[1:] else section
    blocks = re.findall(r'```sh\n(.*?)```', section, re.S)
    # The HTTP calls as written: curl itself, and the walk's helpers that run it.
    calls = sum(len(re.findall(r'\bcurl\b|\bstaff \w|\$\(signin ', b)) for b in blocks)
    script = ['set -euo pipefail',
              # Whatever fails, the server the blocks started is stopped, and its log shown.
              'finish() { status=$?; set +e; [ -n "${SERVER:-}" ] && kill "$SERVER" 2> /dev/null; '
              '[ $status -ne 0 ] && [ -n "${WORK:-}" ] && cat "$WORK/serve.log" >&2; '
              '[ -n "${WORK:-}" ] && rm -rf "$WORK"; exit $status; }',
              'trap finish EXIT']
    for n, block in enumerate(blocks, 1):
        script.append('echo "api_doc_test: block %d" >&2' % n)
        script.append(block)
    env = dict(os.environ, PATH=os.path.dirname(BINARY) + os.pathsep + os.environ['PATH'], PORT='0')
    env.pop('CUSTODIAN_KEY_FILE', None)
    done = subprocess.run(['bash', '-c', '\n'.join(script)], cwd=SOURCE, env=env, capture_output=True, text=True,
                          timeout=600)
    steps = re.findall(r'api_doc_test: block (\d+)', done.stderr)
    print('docs/api.md: %d blocks, %d HTTP calls as written; ran to block %s, exit %d' %
          (len(blocks), calls, steps[-1] if steps else 'none', done.returncode))
    if done.returncode != 0:
        print(done.stdout[-2000:])
        print(done.stderr[-4000:])
    ok = done.returncode == 0 and len(blocks) > 0
    print('%d passed, %d failed' % (1 if ok else 0, 0 if ok else 1))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
