"""A fresh custodian instance served on loopback, and a plain HTTP client of it, for the API's
tests written in Python (contract_test.py, api_doc_test.py): what a client with none of
custodian's code has. The instance has one staff user per role (named after the role, one
password), the example agency registry, a service token, a requester token of HSI's and an
outside auditor's token, and an SMTP server on loopback (smtp_sink.py) that [mail] sends to:
requesters' confirmation links are read from it (mails()).
Only the Python standard library."""
import glob
import http.client
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

PASSWORD = 'contract test password'
ROLES = ['intake', 'reviewer', 'approver', 'auditor', 'admin']


# What `custodian serve` prints once it listens.
SERVING = re.compile(r'^custodian: serving http://127\.0\.0\.1:(\d+)/api/v1 ', re.M)


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # (name, value) pairs, as sent
        self.body = body

    def header(self, name):
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return values[0] if len(values) == 1 else (None if not values else values)

    def json(self):
        return json.loads(self.body)


def call(port, method, path, headers=None, body=None, source='127.0.0.1'):
    """One request on its own connection from `source` (any 127.0.0.0/8 address)."""
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=120, source_address=(source, 0))
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


class Instance:
    """custodian init, its users and tokens; serve() starts `custodian serve` on a free port."""

    def __init__(self, binary, source_dir):
        self.binary = binary
        self.source_dir = source_dir = os.path.abspath(source_dir)
        self.dir = tempfile.mkdtemp(prefix='custodian_api_test_')
        self.data = os.path.join(self.dir, 'data')
        self.env = dict(os.environ, CUSTODIAN_KEY_FILE=os.path.join(self.dir, 'master.key'))
        self.server = None
        self.port = None
        self.mail_dir = os.path.join(self.dir, 'mail')
        os.mkdir(self.mail_dir)
        self.sink = subprocess.Popen(['/usr/bin/python3', os.path.join(source_dir, 'src/server/smtp_sink.py'),
                                      self.mail_dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(600):  # bounded: the sink writes its port once it listens
            if os.path.exists(os.path.join(self.mail_dir, 'port')) or self.sink.poll() is not None:
                break
            time.sleep(0.1)
        mail_port = int(open(os.path.join(self.mail_dir, 'port')).read())
        self.cli('init')
        with open(os.path.join(self.data, 'custodian.toml'), 'w') as f:
            # Staff sign in by password here; the default (TOTP required) is tested in C++.
            f.write('[auth]\nrequire_totp = false\n[production]\nservice_name = "Example Mail (test)"\n'
                    '[geo]\ncity_databases = ["%s"]\n[mail]\nsmtp = "127.0.0.1:%d"\nfrom = "custodian@example.net"\n'
                    '[alerts]\nconsole_url = "https://custodian.example.org"\n' %
                    (os.path.join(source_dir, 'testdata/mmdb/test-data/GeoIP2-City-Test.mmdb'), mail_port))
        self.cli('agencies', 'import', '--actor', 'setup', os.path.join(source_dir, 'spec/agencies.example.json'))
        for role in ROLES:
            self.cli('user', 'add', role, '--role', role, '--actor', 'setup', stdin=PASSWORD + '\n')
        self.service_token = json.loads(self.cli('user', 'token', 'create', '--actor', 'setup',
                                                 '--service', 'backend'))['token']
        self.cli('user', 'requester', 'add', 'l.whitmore@hsi.dhs.gov', '--name', 'L. Whitmore', '--actor', 'setup',
                 stdin=PASSWORD + '\n')
        self.requester_token = json.loads(self.cli('user', 'token', 'create', '--actor', 'setup', '--requester',
                                                   'hsi', '--account', 'l.whitmore@hsi.dhs.gov'))['token']
        self.external_auditor_token = json.loads(self.cli('user', 'token', 'create', '--actor', 'setup',
                                                          '--external-auditor', 'outside-firm'))['token']

    def cli(self, *args, stdin=None):
        command = [self.binary] + list(args) + ['--data', self.data]
        done = subprocess.run(command, input=stdin, capture_output=True, text=True, env=self.env, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(' '.join(command) + ': exit ' + str(done.returncode) + ': ' + done.stderr)
        return done.stdout

    def mails(self):
        """What the SMTP server accepted, in order: {"from", "to", "data", …}."""
        def number(path):
            return int(re.search(r'message-(\d+)\.json$', path).group(1))
        return [json.load(open(p)) for p in sorted(glob.glob(os.path.join(self.mail_dir, 'message-*.json')), key=number)]

    def confirmation_token(self, address):
        """The token of the latest confirmation link mailed to `address`."""
        for message in reversed(self.mails()):
            if address in message['to']:
                found = re.search(r'#/confirm/([0-9a-f]{64})', message['data'])
                if found:
                    return found.group(1)
        raise RuntimeError('no confirmation link was mailed to ' + address)

    def require_totp(self):
        """From the next serve on, staff sign in with a second factor (the default), enrolling
        it at first sign-in."""
        path = os.path.join(self.data, 'custodian.toml')
        text = open(path).read()
        with open(path, 'w') as f:
            f.write(text.replace('require_totp = false', 'require_totp = true'))

    def serve(self):
        """Starts the server on a port the system picks and waits (bounded) until it answers. The
        port is read from the server's own "serving" line: a port found free beforehand could be
        taken by another test's server before this one binds it."""
        path = os.path.join(self.dir, 'serve.log')
        start = os.path.getsize(path) if os.path.exists(path) else 0
        self.log = open(path, 'a')  # every run's, one after another
        self.server = subprocess.Popen([self.binary, 'serve', '--data', self.data, '--listen', '127.0.0.1:0'],
                                       env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        self.port = None
        for _ in range(600):
            if self.port is None:
                with open(path, errors='replace') as log:
                    log.seek(start)
                    served = SERVING.search(log.read())
                self.port = int(served.group(1)) if served else None
            try:
                if self.port and call(self.port, 'GET', '/api/v1/keys').status == 200:
                    return
            except OSError:
                pass
            if self.server.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError('custodian serve did not start: ' + open(path).read())

    def stop(self):
        """Stops the server: SIGTERM, so that it shuts down as an operator's does (and a sanitized
        build's reports its leaks)."""
        if self.server:
            self.server.terminate()
            self.server.wait(timeout=120)
            self.server = None
            self.log.close()

    def sanitizer_findings(self):
        """What AddressSanitizer, LeakSanitizer or UBSan reported in the server's log, every run
        of it (a sanitized build's server is held to them); call after stop()."""
        path = os.path.join(self.dir, 'serve.log')
        if not os.path.exists(path):
            return []
        return [line.rstrip() for line in open(path, errors='replace')
                if 'ERROR: AddressSanitizer' in line or 'ERROR: LeakSanitizer' in line or 'runtime error:' in line]

    def log_tail(self, lines=40):
        path = os.path.join(self.dir, 'serve.log')
        return ''.join(open(path).readlines()[-lines:]) if os.path.exists(path) else ''

    def close(self):
        self.stop()
        self.sink.terminate()
        self.sink.wait(timeout=60)
        shutil.rmtree(self.dir, ignore_errors=True)
