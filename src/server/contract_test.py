#!/usr/bin/python3
"""The API against its OpenAPI document, as a client developer holds it: a fresh instance
served on loopback; every operation the document lists called as every caller (no one, each
staff role, a service token, a requester token, a requester's portal session, an outside auditor's
token), with valid and invalid
input; each answer's
status must be one the operation lists, its Content-Type one the status lists (none for a
body-less status), its body valid against that schema (JSON Schema 2020-12, Debian's
python3-jsonschema), a problem's `status` its HTTP status and `field` a JSON pointer, and every
answer must carry nosniff, no-referrer and no-store. The document itself must be the one in the
repository, self-contained, with the request schema of spec/ embedded as it is. The outside
auditor's token is held to its role: every operation that needs a caller refuses it (403) but the
disclosure log's entries, which refuse every other caller but the staff auditor.

Usage: contract_test.py CUSTODIAN_BINARY SOURCE_DIR"""
import base64
import hashlib
import hmac
import itertools
import json
import os
import re
import sys
import time
import warnings

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from api_testing import PASSWORD, ROLES, Instance, call  # noqa: E402

warnings.simplefilter('ignore', DeprecationWarning)  # RefResolver, kept for Debian's 4.10
BINARY, SOURCE = sys.argv[1], sys.argv[2]
CALLERS = ['nobody'] + ROLES + ['service', 'requester', 'portal', 'external_auditor']
# Answered only where a second factor is required (auth.require_totp): called last, the server
# started again requiring one.
TOTP_ENROLMENT_OPERATIONS = ['startTotpEnrolment', 'confirmTotpEnrolment']
# Limited per client address: each call comes from an address of its own.
LIMITED_OPERATIONS = {'signIn', 'registerRequester', 'confirmRequester', 'startPortalTotpEnrolment',
                      'confirmPortalTotpEnrolment', 'portalSignIn'} | set(TOTP_ENROLMENT_OPERATIONS)
# The one operation an outside auditor's token opens (with the staff auditor): the pseudonymous
# disclosure leaves.
EXTERNAL_AUDITOR_OPERATIONS = {'listDisclosureEntries'}
POINTER = re.compile(r'^(/([^~/]|~[01])*)+$')
RFC3339 = re.compile(r'^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$')
PDF = b'%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'
failures = []


def example(name):
    return open(os.path.join(SOURCE, 'examples/requests', name + '.json'), 'rb').read()


def totp_code(base32_secret, offset=0):
    """The code an authenticator app shows now, or `offset` seconds from now (RFC 6238 with
    HMAC-SHA256, as the server's)."""
    secret = base64.b32decode(base32_secret + '=' * (-len(base32_secret) % 8))
    mac = hmac.new(secret, (int(time.time() + offset) // 30).to_bytes(8, 'big'), hashlib.sha256).digest()
    offset = mac[-1] & 0x0f
    return '%06d' % ((int.from_bytes(mac[offset:offset + 4], 'big') & 0x7fffffff) % 1000000)


def format_checker():
    checker = jsonschema.FormatChecker()

    @checker.checks('date-time')
    def date_time(value):
        return not isinstance(value, str) or bool(RFC3339.match(value))

    @checker.checks('date')
    def date(value):
        return not isinstance(value, str) or bool(re.match(r'^\d{4}-\d{2}-\d{2}$', value))

    @checker.checks('byte')
    def byte(value):
        if not isinstance(value, str):
            return True
        try:
            base64.b64decode(value, validate=True)
            return True
        except ValueError:
            return False
    return checker


class Contract:
    def __init__(self, document):
        self.doc = document
        self.resolver = jsonschema.RefResolver.from_schema(document)
        self.checker = format_checker()
        self.ops = {}
        for path, item in document['paths'].items():
            for method, op in item.items():
                self.ops[op['operationId']] = (method.upper(), path, op)
        self.calls = {}  # operationId -> {(caller, input): status}

    def resolve(self, node):
        while '$ref' in node:
            node = self.resolver.resolve(node['$ref'])[1]
        return node

    def validate(self, schema, value, where):
        validator = jsonschema.Draft202012Validator(schema, resolver=self.resolver, format_checker=self.checker)
        for error in validator.iter_errors(value):
            failures.append('%s: %s at %s' % (where, error.message[:300], '/'.join(map(str, error.absolute_path))))

    def check(self, op_id, answer, where):
        """Holds one answer to the document."""
        method, path, op = self.ops[op_id]
        for name, value in [('X-Content-Type-Options', 'nosniff'), ('Referrer-Policy', 'no-referrer'),
                            ('Cache-Control', 'no-store')]:
            if answer.header(name) != value:
                failures.append('%s: %s is %r, not %r' % (where, name, answer.header(name), value))
        response = op['responses'].get(str(answer.status))
        if response is None:
            failures.append('%s: status %d is not listed (%s)' % (where, answer.status, ', '.join(op['responses'])))
            return
        response = self.resolve(response)
        content = response.get('content')
        media = (answer.header('Content-Type') or '').split(';')[0].strip()
        if not content:
            if answer.body:
                failures.append('%s: %d has a body; the document lists none' % (where, answer.status))
            return
        if media not in content:
            failures.append('%s: %d as %r; the document lists %s' % (where, answer.status, media, list(content)))
            return
        schema = content[media].get('schema')
        if media in ('application/json', 'application/problem+json'):
            try:
                body = json.loads(answer.body)
            except ValueError:
                failures.append('%s: %d: the body is not JSON' % (where, answer.status))
                return
            self.validate(schema, body, where)
            if media == 'application/problem+json':
                if body.get('status') != answer.status:
                    failures.append('%s: the problem says %r, HTTP %d' % (where, body.get('status'), answer.status))
                if 'field' in body and not POINTER.match(body['field']):
                    failures.append('%s: field %r is not a JSON pointer' % (where, body['field']))
        elif schema and schema.get('format') != 'binary':
            self.validate(schema, answer.body.decode('utf-8'), where)


class Api:
    """The instance's callers and the calls the matrix makes, each held to the contract."""

    def __init__(self, instance, contract):
        self.instance = instance
        self.contract = contract
        self.sessions = {}
        self.source = 0
        self.users = itertools.count(1)
        self.addresses = itertools.count(1)
        for role in ROLES:
            self.sessions[role] = self.sign_in(role)
        self.sessions['portal'] = self.portal_session()

    def next_source(self):
        # Sign-ins are limited per address: each gets an address of its own.
        self.source += 1
        return '127.0.%d.%d' % (1 + self.source // 250, 1 + self.source % 250)

    def sign_in(self, role):
        answer = call(self.instance.port, 'POST', '/api/v1/auth/login',
                      {'Content-Type': 'application/json'},
                      json.dumps({'username': role, 'password': PASSWORD}), source=self.next_source())
        self.contract.check('signIn', answer, 'signIn as setup')
        assert answer.status == 200, answer.body
        cookie = answer.header('Set-Cookie').split(';')[0]
        return {'Cookie': cookie, 'X-CSRF-Token': answer.json()['csrf']}

    def headers(self, caller):
        if caller in self.sessions:
            return dict(self.sessions[caller])
        if caller == 'service':
            return {'Authorization': 'Bearer ' + self.instance.service_token}
        if caller == 'requester':
            return {'Authorization': 'Bearer ' + self.instance.requester_token}
        if caller == 'external_auditor':
            return {'Authorization': 'Bearer ' + self.instance.external_auditor_token}
        return {}

    def do(self, op_id, caller, params=None, query='', body=None, media='application/json', headers=None,
           where='setup', source='127.0.0.1'):
        method, path, _ = self.contract.ops[op_id]
        for name, value in (params or {}).items():
            path = path.replace('{' + name + '}', value)
        sent = self.headers(caller) if isinstance(caller, str) else dict(caller)
        if body is not None:
            sent['Content-Type'] = media
        sent.update(headers or {})
        answer = call(self.instance.port, method, path + query, sent, body, source=source)
        self.contract.check(op_id, answer, '%s %s%s as %s (%s)' % (method, path, query, caller if isinstance(caller, str) else 'a fresh session', where))
        return answer

    # --- Resources in the states the operations need, made through the API as staff would.
    def case(self, document='lcpd-subpoena'):
        answer = self.do('enterCase', 'intake', body=example(document))
        assert answer.status == 201, answer.body
        return answer.json()['id']

    def reviewed(self, document='hsi-child-safety-court-order', decision='approve'):
        id = self.case(document)
        answer = self.do('reviewCase', 'reviewer', {'id': id},
                         body=json.dumps({'decision': decision, 'note': 'as the test decides',
                                          'confirm_investigation': True,
                                          **({'letter': 'Name the account.'} if decision == 'pushback' else {})}))
        assert answer.status == 200, answer.body
        return id

    def attested(self, document):
        """A request document as a requester sends it: with the attestation the standards ask for."""
        if not hasattr(self, 'attestation'):
            answer = self.do('getPortalAttestation', 'requester')
            assert answer.status == 200, answer.body
            self.attestation = answer.json()['sha256']
        return b'{"attestation_sha256": "%s", "request": %s}' % (self.attestation.encode(), document)

    def portal_case(self, pushed_back=False):
        """A request the requester sent (HSI's court order), perhaps pushed back by a reviewer."""
        answer = self.do('submitPortalRequest', 'requester', body=self.attested(example('hsi-child-safety-court-order')))
        assert answer.status == 201, answer.body
        id = answer.json()['id']
        if pushed_back:
            answer = self.do('reviewCase', 'reviewer', {'id': id},
                             body=json.dumps({'decision': 'pushback', 'note': 'as the test decides',
                                              'letter': 'Name the account.'}))
            assert answer.status == 200, answer.body
        return id

    def approved(self):
        id = self.reviewed()
        answer = self.do('approveCase', 'approver', {'id': id})
        assert answer.status == 200, answer.body
        return id

    def produced(self):
        id = self.approved()
        answer = self.do('startProduction', 'reviewer', {'id': id})
        assert answer.status == 202, answer.body
        production = answer.json()['production']
        for _ in range(1200):  # a bounded wait for the background production
            status = self.do('getProduction', 'auditor', {'id': id, 'production': production}).json()
            if status['outcome'] != 'running':
                break
            time.sleep(0.1)
        assert status['outcome'] == 'produced', status
        return id, production

    def user(self):
        """A new staff user (intake), made by the admin: its name and its initial password."""
        name = 'staff%d' % next(self.users)
        answer = self.do('addUser', 'admin', body=json.dumps({'name': name, 'roles': ['intake']}))
        assert answer.status == 201, answer.body
        return name, answer.json()['password']

    def token(self):
        answer = self.do('createToken', 'admin', body=json.dumps({'kind': 'service', 'name': 'contract'}))
        assert answer.status == 201, answer.body
        return answer.json()['id']

    def enrolment_ticket(self):
        """A new user's first sign-in where a second factor is required: its enrolment ticket."""
        name, password = self.user()
        answer = self.do('signIn', 'nobody', body=json.dumps({'username': name, 'password': password}),
                         where='a first sign-in', source=self.next_source())
        assert answer.status == 403, answer.body
        return answer.json()['enrolment_ticket']

    def enrolment(self):
        """A ticket, and a code from the secret its enrolment answered."""
        ticket = self.enrolment_ticket()
        answer = self.do('startTotpEnrolment', 'nobody', body=json.dumps({'ticket': ticket}), source=self.next_source())
        assert answer.status == 200, answer.body
        return json.dumps({'ticket': ticket, 'totp': totp_code(answer.json()['secret'])})

    # --- Requester accounts, each at an address of its own (HSI's domain), through the API.
    def fresh_address(self):
        return 'officer%d@hsi.dhs.gov' % next(self.addresses)

    def registered(self):
        """A new account's address, and the token of the link mailed to it."""
        address = self.fresh_address()
        answer = self.do('registerRequester', 'nobody', body=json.dumps(
            {'email': address, 'name': 'An Officer', 'password': PASSWORD}), source=self.next_source())
        assert answer.status == 202, answer.body
        return address, self.instance.confirmation_token(address)

    def portal_ticket(self):
        """A confirmed account's enrolment ticket, and its address."""
        address, token = self.registered()
        answer = self.do('confirmRequester', 'nobody', body=json.dumps({'token': token, 'password': PASSWORD}),
                         source=self.next_source())
        assert answer.status == 200, answer.body
        return answer.json()['enrolment_ticket'], address

    def portal_enrolment(self):
        """A ticket and a code from the secret its enrolment answered, and the secret."""
        ticket, address = self.portal_ticket()
        answer = self.do('startPortalTotpEnrolment', 'nobody', body=json.dumps({'ticket': ticket}),
                         source=self.next_source())
        assert answer.status == 200, answer.body
        secret = answer.json()['secret']
        # The step before this one (a step of skew is allowed): this step's code then signs in.
        return json.dumps({'ticket': ticket, 'code': totp_code(secret, -30)}), address, secret

    def portal_account(self):
        """An enrolled account: its address, its secret, the session the enrolment opened, its id."""
        body, address, secret = self.portal_enrolment()
        answer = self.do('confirmPortalTotpEnrolment', 'nobody', body=body, source=self.next_source())
        assert answer.status == 200, answer.body
        session = {'Cookie': answer.header('Set-Cookie').split(';')[0], 'X-CSRF-Token': answer.json()['csrf']}
        return address, secret, session, answer.json()['account']['id']

    def portal_session(self):
        return self.portal_account()[2]

    def unconfirmed_account(self):
        address, _ = self.registered()
        return [a for a in self.do('listRequesters', 'admin').json() if a['email'] == address][0]['id']

    def suspended_account(self):
        id = self.portal_account()[3]
        answer = self.do('suspendRequester', 'admin', {'account': id})
        assert answer.status == 200, answer.body
        return id

    def portal_sign_in(self):
        """A sign-in an enrolled account may make now."""
        address, secret, _, _ = self.portal_account()
        return json.dumps({'email': address, 'password': PASSWORD, 'totp': totp_code(secret)})

    def shared(self):
        """A request the requester sent, shared with a new colleague: the case and the colleague's id."""
        id = self.portal_case()
        address, _, _, account = self.portal_account()
        answer = self.do('sharePortalRequest', 'requester', {'id': id}, body=json.dumps({'email': address}))
        assert answer.status == 200, answer.body
        return {'id': id, 'account': account}, '', None, None, None

    def grant(self, id, production):
        answer = self.do('issueDownload', 'reviewer', {'id': id, 'production': production})
        assert answer.status == 201, answer.body
        return answer.json()['id']


def inputs_of(api, produced, documented, portal_case, now_day, held, noticed):
    """Each operation's inputs: (name, valid, prepare → (params, query, body, media, headers))."""
    missing = 'C-2026-999999'
    lcpd = example('lcpd-subpoena')
    day = now_day

    def fixed(params=None, query='', body=None, media='application/json', headers=None):
        return lambda: (params or {}, query, body, media, headers)

    def fresh_case(doc='lcpd-subpoena', **kw):
        return lambda: ({'id': api.case(doc)},) + tuple(kw.get(k) for k in ('query', 'body', 'media', 'headers'))
    events = ('{"account_id": 1000042, "ts": "%sT08:00:00Z", "kind": "login", "ip": "203.0.113.5"}\n' % day).encode()
    subscribers = ('{"account_id": 1000042, "effective_from": "%sT00:00:00Z", "username": "user42", '
                   '"name": "A. User", "emails": ["user42@example.net"]}\n' % day).encode()
    standards = open(os.path.join(SOURCE, 'policies/us-default.toml'), 'rb').read()
    agencies = open(os.path.join(SOURCE, 'spec/agencies.example.json'), 'rb').read()
    pid, production = produced
    signed = api.do('listTreeHeads', 'nobody', {'log': 'audit'}).json()['heads']
    heads = (signed[0]['size'], signed[-1]['size'])  # signed as the server started, each time
    return {
        'getOpenApiDocument': [('valid', True, fixed())],
        'signIn': [('valid', True, fixed(body=json.dumps({'username': 'auditor', 'password': PASSWORD}))),
                   ('unknown user', False, fixed(body=json.dumps({'username': 'no-such-user', 'password': 'no'}))),
                   ('not JSON', False, fixed(body='{'))],
        'signOut': [('valid', True, fixed()),
                    ('without CSRF', False, fixed(headers={'X-CSRF-Token': ''}))],
        'getSession': [('valid', True, fixed())],
        'listCases': [('valid', True, fixed(query='?open=true&state=in_review')),
                      ('filtered', True, fixed(query='?process_type=subpoena&agency=us-nm-lcpd&assignee=&emergency=false&overdue=true')),
                      ('open=maybe', False, fixed(query='?open=maybe')),
                      ('process_type=writ', False, fixed(query='?process_type=writ')),
                      ('assignee=nobody', False, fixed(query='?assignee=nobody')),
                      ('a search in the address', False, fixed(query='?q=1000042'))],
        'searchCases': [('valid', True, fixed(body=json.dumps({'q': '1000042'}))),
                        ('filtered', True, fixed(query='?open=true&emergency=false', body=json.dumps({'q': 'GJ-2026-0311'}))),
                        ('q blank', False, fixed(body=json.dumps({'q': '  '}))),
                        ('no q', False, fixed(body='{}')),
                        ('state=open', False, fixed(query='?state=open', body=json.dumps({'q': '1000042'})))],
        'enterCase': [('valid', True, fixed(body=lcpd)),
                      ('not a request', False, fixed(body=json.dumps({'received_at': 'soon'})))],
        'getCase': [('valid', True, fixed({'id': pid})), ('one holding', True, fixed({'id': held})),
                    ('no such case', False, fixed({'id': missing}))],
        'listDecisions': [('valid', True, fixed({'id': pid})), ('no such case', False, fixed({'id': missing}))],
        'getCaseTimeline': [('valid', True, fixed({'id': pid})), ('no such case', False, fixed({'id': missing}))],
        'decideAgain': [('valid', True, fresh_case()), ('no such case', False, fixed({'id': missing}))],
        'amendCase': [('valid', True, lambda: ({'id': api.reviewed('vague-subpoena', 'pushback')}, '', lcpd, 'application/json', None)),
                      ('not a request', False, fresh_case(body=json.dumps({'process': 1}), media='application/json'))],
        'reviewCase': [('valid', True, fresh_case(body=json.dumps({'decision': 'approve', 'note': 'as asked'}), media='application/json')),
                       ('pushback with a letter', True, fresh_case(body=json.dumps(
                           {'decision': 'pushback', 'note': 'the return date', 'letter': 'Correct the return date.'}), media='application/json')),
                       ('pushback without a letter', False, fresh_case(body=json.dumps(
                           {'decision': 'pushback', 'note': 'the return date'}), media='application/json')),
                       ('decision=maybe', False, fresh_case(body=json.dumps({'decision': 'maybe'}), media='application/json'))],
        'approveCase': [('valid', True, lambda: ({'id': api.reviewed()}, '', None, None, None)),
                        ('no such case', False, fixed({'id': missing}))],
        'verifyRequester': [('valid', True, fresh_case('emergency-unverified', body=json.dumps(
                                {'phone': '+1-575-555-0100', 'agency_id': 'us-nm-lcpd'}), media='application/json')),
                            ('wrong phone', False, fresh_case('emergency-unverified', body=json.dumps(
                                {'phone': '+1-575-555-0999', 'agency_id': 'us-nm-lcpd'}), media='application/json'))],
        'assignCase': [('valid', True, fixed({'id': pid}, body=json.dumps({'assignee': 'reviewer'}))),
                       ('unassigned', True, fixed({'id': pid}, body=json.dumps({'assignee': None}))),
                       ('no such user', False, fixed({'id': pid}, body=json.dumps({'assignee': 'no-such-user'}))),
                       ('no such case', False, fixed({'id': missing}, body=json.dumps({'assignee': 'reviewer'})))],
        'listComments': [('valid', True, fixed({'id': pid})), ('no such case', False, fixed({'id': missing}))],
        'addComment': [('valid', True, fixed({'id': pid}, body=json.dumps({'text': 'checked with the agency'}))),
                       ('text blank', False, fixed({'id': pid}, body=json.dumps({'text': '  '}))),
                       ('no such case', False, fixed({'id': missing}, body=json.dumps({'text': 'x'})))],
        'closeCase': [('valid', True, lambda: ({'id': api.reviewed('lcpd-subpoena', 'reject')}, '', json.dumps({'note': 'done'}), 'application/json', None)),
                      ('note=5', False, fresh_case(body=json.dumps({'note': 5}), media='application/json'))],
        'listHolds': [('valid', True, fixed()), ('one case\'s', True, fixed(query='?case=' + held)),
                      ('case=x', False, fixed(query='?case=x'))],
        'extendHold': [('valid', True, lambda: ({'hold': api.reviewed('preservation') + '-H1'}, '', json.dumps({'days': 30}), 'application/json', None)),
                       ('days=91', False, fixed({'hold': held + '-H1'}, body=json.dumps({'days': 91}))),
                       ('no such hold', False, fixed({'hold': missing + '-H1'}, body=json.dumps({'days': 30})))],
        'releaseHold': [('valid', True, lambda: ({'hold': api.reviewed('preservation') + '-H1'}, '', None, None, None)),
                        ('no such hold', False, fixed({'hold': missing + '-H1'}))],
        'getAgencies': [('valid', True, fixed())],
        'replaceAgencies': [('valid', True, fixed(body=agencies)), ('an empty agency', False, fixed(body='[{}]'))],
        'ingestEvents': [('valid', True, fixed(body=events, media='application/x-ndjson')),
                         ('no valid line', False, fixed(body=b'{"account_id": "x"}\n', media='application/x-ndjson'))],
        'ingestSubscribers': [('valid', True, fixed(body=subscribers, media='application/x-ndjson')),
                              ('no valid line', False, fixed(body=b'[]\n', media='application/x-ndjson'))],
        'listPortalRequests': [('valid', True, fixed())],
        'submitPortalRequest': [('valid', True, fixed(body=api.attested(example('hsi-child-safety-court-order')))),
                                ('not a request', False, fixed(body='[]')),
                                ('without the attestation', False, fixed(body=example('hsi-child-safety-court-order')))],
        'getPortalAttestation': [('valid', True, fixed())],
        'listPortalShares': [('valid', True, fixed({'id': portal_case})), ('no such case', False, fixed({'id': missing}))],
        'sharePortalRequest': [('valid', True, lambda: ({'id': api.portal_case()}, '',
                                                        json.dumps({'email': api.portal_account()[0]}), 'application/json', None)),
                               ('not a colleague', False, fixed({'id': portal_case}, body=json.dumps({'email': 'nobody@hsi.dhs.gov'})))],
        'unsharePortalRequest': [('valid', True, api.shared),
                                 ('not shared', False, fixed({'id': portal_case, 'account': 'R-' + '0' * 16}))],
        'getPortalRequest': [('valid', True, fixed({'id': portal_case})), ('no such case', False, fixed({'id': missing}))],
        'withdrawPortalRequest': [('valid', True, lambda: ({'id': api.portal_case()}, '', json.dumps({'reason': 'no longer needed'}),
                                                           'application/json', None)),
                                  ('without a body', True, lambda: ({'id': api.portal_case()}, '', None, None, None)),
                                  ('reason blank', False, lambda: ({'id': api.portal_case()}, '', json.dumps({'reason': ' '}),
                                                                   'application/json', None)),
                                  ('no such case', False, fixed({'id': missing}))],
        'amendPortalRequest': [('valid', True, lambda: ({'id': api.portal_case(pushed_back=True)}, '',
                                                        api.attested(example('hsi-child-safety-court-order')), 'application/json', None)),
                               ('not pushed back', False, lambda: ({'id': api.portal_case()}, '',
                                                                   api.attested(example('hsi-child-safety-court-order')), 'application/json', None)),
                               ('not a request', False, lambda: ({'id': api.portal_case(pushed_back=True)}, '',
                                                                 api.attested(b'{"process": 1}'), 'application/json', None))],
        'listNotices': [('valid', True, fixed()), ('one case\'s', True, fixed(query='?case=' + noticed)),
                        ('case=x', False, fixed(query='?case=x'))],
        'listAlerts': [('valid', True, fixed()), ('limit=1', True, fixed(query='?limit=1')),
                       ('limit=0', False, fixed(query='?limit=0'))],
        'setUserEmail': [('valid', True, fixed({'name': 'intake'}, body=json.dumps({'email': 'intake@example.org'}))),
                         ('removed', True, fixed({'name': 'intake'}, body=json.dumps({'email': None}))),
                         ('not an address', False, fixed({'name': 'intake'}, body=json.dumps({'email': 'intake at example'}))),
                         ('no such user', False, fixed({'name': 'nobody'}, body=json.dumps({'email': None})))],
        'changePassword': [('valid', True, fixed(body=json.dumps({'current': PASSWORD, 'new': PASSWORD}))),
                           ('new too short', False, fixed(body=json.dumps({'current': PASSWORD, 'new': 'short'})))],
        'listUsers': [('valid', True, fixed())],
        'addUser': [('valid', True, lambda: ({}, '', json.dumps({'name': 'new%d' % next(api.users), 'roles': ['auditor'],
                                                                'email': 'new@example.org'}), 'application/json', None)),
                    ('no role', False, fixed(body=json.dumps({'name': 'norole', 'roles': []}))),
                    ('taken', False, fixed(body=json.dumps({'name': 'intake', 'roles': ['intake']})))],
        'setUserRoles': [('valid', True, fixed({'name': 'intake'}, body=json.dumps({'roles': ['intake']}))),
                         ('role=boss', False, fixed({'name': 'intake'}, body=json.dumps({'roles': ['boss']}))),
                         ('the last admin', False, fixed({'name': 'admin'}, body=json.dumps({'roles': ['auditor']}))),
                         ('no such user', False, fixed({'name': 'nobody'}, body=json.dumps({'roles': ['intake']})))],
        'disableUser': [('valid', True, lambda: ({'name': api.user()[0]}, '', None, None, None)),
                        ('the last admin', False, fixed({'name': 'admin'})),
                        ('no such user', False, fixed({'name': 'nobody'}))],
        'enableUser': [('valid', True, fixed({'name': 'intake'})), ('no such user', False, fixed({'name': 'nobody'}))],
        'resetUserTotp': [('valid', True, lambda: ({'name': api.user()[0]}, '', None, None, None)),
                          ('no such user', False, fixed({'name': 'nobody'}))],
        'listTokens': [('valid', True, fixed())],
        'getVaultStatus': [('valid', True, fixed())],
        'createToken': [('valid', True, fixed(body=json.dumps({'kind': 'service', 'name': 'contract'}))),
                        ('kind=robot', False, fixed(body=json.dumps({'kind': 'robot', 'name': 'contract'}))),
                        ('a requester without an agency', False, fixed(body=json.dumps(
                            {'kind': 'requester', 'name': 'contract', 'email': 'r@example.org'})))],
        'revokeToken': [('valid', True, lambda: ({'token': api.token()}, '', None, None, None)),
                        ('no such token', False, fixed({'token': '0' * 16}))],
        'recordNondisclosure': [('valid', True, fresh_case(body=json.dumps({'until': '2027-01-31'}), media='application/json')),
                                ('until=soon', False, fresh_case(body=json.dumps({'until': 'soon'}), media='application/json'))],
        'uploadDocument': [('valid', True, fresh_case(body=PDF, media='application/pdf')),
                           ('no such case', False, fixed({'id': missing}, body=PDF, media='application/pdf'))],
        'getDocument': [('valid', True, fixed({'id': documented[0], 'sha256': documented[1]})),
                        ('no such document', False, fixed({'id': documented[0], 'sha256': '0' * 64}))],
        'uploadPortalDocument': [('valid', True, fixed({'id': portal_case}, body=PDF, media='application/pdf')),
                                 ('no such case', False, fixed({'id': missing}, body=PDF, media='application/pdf'))],
        'getTreeHead': [('valid', True, fixed({'log': 'audit'})), ('no such log', False, fixed({'log': 'cases'}))],
        'listTreeHeads': [('valid', True, fixed({'log': 'disclosures'}, '?from=1')),
                          ('from=x', False, fixed({'log': 'disclosures'}, '?from=x'))],
        'getConsistencyProof': [('valid', True, fixed({'log': 'audit'}, '?first=%d&second=%d' % heads)),
                                ('first=0', False, fixed({'log': 'audit'}, '?first=0&second=1'))],
        'listKeys': [('valid', True, fixed())],
        'listAuditEntries': [('valid', True, fixed(query='?start=0&count=20')),
                             ('count=0', False, fixed(query='?count=0'))],
        'listDisclosureEntries': [('valid', True, fixed(query='?start=0&count=20')),
                                  ('start=-1', False, fixed(query='?start=-1'))],
        'listReports': [('valid', True, fixed())],
        'getReport': [('valid', True, fixed({'period': '2026-H1'})),
                      ('as CSV', True, fixed({'period': '2026-H1'}, '?format=csv')),
                      ('as HTML', True, fixed({'period': '2026-H1'}, '?format=html')),
                      ('format=xml', False, fixed({'period': '2026-H1'}, '?format=xml')),
                      ('not ended', False, fixed({'period': '2099-H1'}))],
        'listProductions': [('valid', True, fixed({'id': pid})), ('no such case', False, fixed({'id': missing}))],
        'startProduction': [('valid', True, lambda: ({'id': api.approved()}, '', None, None, None)),
                            ('not approved', False, fresh_case())],
        'getProduction': [('valid', True, fixed({'id': pid, 'production': production})),
                          ('no such production', False, fixed({'id': pid, 'production': 'P-2026-999999'}))],
        'abortProduction': [('a produced one', False, fixed({'id': pid, 'production': production},
                                                           body=json.dumps({'reason': 'stuck'}))),
                            ('reason=1', False, fixed({'id': pid, 'production': production}, body=json.dumps({'reason': 1})))],
        'issueDownload': [('valid', True, fixed({'id': pid, 'production': production})),
                          ('no such production', False, fixed({'id': pid, 'production': 'P-2026-999999'}))],
        'revokeDownload': [('valid', True, lambda: ({'grant': api.grant(pid, production)}, '', None, None, None)),
                           ('no such grant', False, fixed({'grant': 'D-' + 'a' * 32}))],
        'listPortalProductions': [('valid', True, fixed({'id': pid})), ('no such case', False, fixed({'id': missing}))],
        'downloadPackage': [('valid', True, lambda: ({'grant': api.grant(pid, production)}, '', None, None, None)),
                            ('no such grant', False, fixed({'grant': 'D-' + 'a' * 32}))],
        'getStandards': [('valid', True, fixed())],
        'installStandards': [('valid', True, fixed(body=standards, media='application/toml')),
                             ('not TOML', False, fixed(body=b'[[[', media='application/toml'))],
        'registerRequester': [('valid', True, lambda: ({}, '', json.dumps({'email': api.fresh_address(), 'name': 'An Officer',
                                                                          'password': PASSWORD}), 'application/json', None)),
                              ('no agency has the domain', False, fixed(body=json.dumps(
                                  {'email': 'someone@example.com', 'name': 'A', 'password': PASSWORD}))),
                              ('password short', False, fixed(body=json.dumps(
                                  {'email': 'short@hsi.dhs.gov', 'name': 'A', 'password': 'short'}))),
                              ('no name', False, fixed(body=json.dumps({'email': 'a@hsi.dhs.gov', 'password': PASSWORD})))],
        'confirmRequester': [('valid', True, lambda: ({}, '', json.dumps({'token': api.registered()[1], 'password': PASSWORD}),
                                                           'application/json', None)),
                             ('another password', False, lambda: ({}, '', json.dumps({'token': api.registered()[1],
                                                                                      'password': 'not the one registered'}),
                                                                  'application/json', None)),
                             ('unknown token', False, fixed(body=json.dumps({'token': '0' * 64, 'password': PASSWORD}))),
                             ('no password', False, fixed(body=json.dumps({'token': '0' * 64}))),
                             ('token=5', False, fixed(body=json.dumps({'token': 5, 'password': PASSWORD})))],
        'startPortalTotpEnrolment': [('valid', True, lambda: ({}, '', json.dumps({'ticket': api.portal_ticket()[0]}),
                                                              'application/json', None)),
                                     ('unknown ticket', False, fixed(body=json.dumps({'ticket': '0' * 64})))],
        'confirmPortalTotpEnrolment': [('valid', True, lambda: ({}, '', api.portal_enrolment()[0], 'application/json', None)),
                                       ('unknown ticket', False, fixed(body=json.dumps({'ticket': '0' * 64, 'code': '000000'}))),
                                       ('no code', False, fixed(body=json.dumps({'ticket': '0' * 64})))],
        'portalSignIn': [('valid', True, lambda: ({}, '', api.portal_sign_in(), 'application/json', None)),
                         ('unknown address', False, fixed(body=json.dumps(
                             {'email': 'nobody@hsi.dhs.gov', 'password': PASSWORD, 'totp': '000000'}))),
                         ('not JSON', False, fixed(body='{'))],
        'getPortalSession': [('valid', True, fixed())],
        'portalSignOut': [('valid', True, fixed())],
        'listRequesters': [('valid', True, fixed())],
        'suspendRequester': [('valid', True, lambda: ({'account': api.portal_account()[3]}, '', None, None, None)),
                             ('unconfirmed', False, lambda: ({'account': api.unconfirmed_account()}, '', None, None, None)),
                             ('no such account', False, fixed({'account': 'R-' + '0' * 16}))],
        'reinstateRequester': [('valid', True, lambda: ({'account': api.suspended_account()}, '', None, None, None)),
                               ('no such account', False, fixed({'account': 'R-' + '0' * 16}))],
        # TOTP_ENROLMENT_OPERATIONS, last.
        'startTotpEnrolment': [('valid', True, lambda: ({}, '', json.dumps({'ticket': api.enrolment_ticket()}),
                                                        'application/json', None)),
                               ('unknown ticket', False, fixed(body=json.dumps({'ticket': '0' * 64}))),
                               ('ticket=5', False, fixed(body=json.dumps({'ticket': 5})))],
        'confirmTotpEnrolment': [('valid', True, lambda: ({}, '', api.enrolment(), 'application/json', None)),
                                 ('unknown ticket', False, fixed(body=json.dumps({'ticket': '0' * 64, 'totp': '000000'}))),
                                 ('no code', False, fixed(body=json.dumps({'ticket': '0' * 64})))],
    }


def generic_inputs(method, valid):
    """What any operation may be sent, however its own input looks: a target beyond 8 KiB; for
    a GET an unreadable Range; for a POST or PUT a body announced beyond any limit, or a
    multipart form (neither is sent: each is refused from its headers)."""
    def with_(query=None, headers=None):
        def prepare():
            params, q, body, media, h = valid()
            if headers:
                return params, q, None, None, headers
            return params, query, body, media, h
        return prepare
    out = [('target beyond 8 KiB', False, with_(query='?pad=' + 'a' * 9000))]
    if method == 'GET':
        out.append(('unreadable Range', False, with_(headers={'Range': 'bytes=zz'})))
        out.append(('a body', False, with_(headers={'Content-Length': '100'})))
    else:
        out.append(('body beyond any limit', False, with_(headers={'Content-Length': str(1 << 40)})))
        out.append(('multipart form', False, with_(headers={'Content-Type': 'multipart/form-data; boundary=x',
                                                            'Content-Length': '0'})))
    return out


def main():
    counts = {'operations': 0, 'calls': 0, 'inputs': 0, 'probes': 0, 'role checks': 0}
    instance = Instance(BINARY, SOURCE)
    try:
        instance.serve()
        source_doc = open(os.path.join(SOURCE, 'src/server/openapi.json'), 'rb').read()
        served = call(instance.port, 'GET', '/api/openapi.json')
        if served.body != source_doc:
            failures.append('the served document is not src/server/openapi.json')
        document = json.loads(served.body)
        refs = re.findall(r'"\$ref": "([^"]*)"', served.body.decode())
        outside = [r for r in refs if not r.startswith('#/')]
        if outside:
            failures.append('the document points outside itself: %s' % outside)
        spec = json.load(open(os.path.join(SOURCE, 'spec/legal-request.schema.json')))
        spec.pop('$schema'), spec.pop('$id')
        if document['components']['schemas']['LegalRequest'] != spec:
            failures.append('components/schemas/LegalRequest is not spec/legal-request.schema.json')
        jsonschema.Draft202012Validator.check_schema(document['components']['schemas']['LegalRequest'])
        for op in [op for item in document['paths'].values() for op in item.values()]:
            if not op.get('operationId') or not op.get('tags'):
                failures.append('%s: no operationId or tag' % op.get('summary'))
        contract = Contract(document)
        api = Api(instance, contract)

        # What the matrix reads: a produced case, a stored document, a portal request, ledger
        # heads (signed when the server starts: it is started again after these).
        produced = api.produced()
        documented_case = api.case()
        uploaded = api.do('uploadDocument', 'intake', {'id': documented_case}, body=PDF, media='application/pdf')
        assert uploaded.status == 201, uploaded.body
        documented = (documented_case, uploaded.json()['documents'][0]['sha256'])
        submitted = api.do('submitPortalRequest', 'requester', body=api.attested(example('hsi-child-safety-court-order')))
        assert submitted.status == 201, submitted.body
        portal_case = submitted.json()['id']
        held = api.reviewed('preservation')  # a case with an active hold
        noticed = api.reviewed('lcpd-subpoena')  # approved: its user's notice waits in the outbox
        assert api.do('approveCase', 'approver', {'id': noticed}).status == 200
        instance.cli('alerts', 'run')  # the cases entered are overdue: staff have alerts to list
        instance.stop()
        instance.serve()
        day = time.strftime('%Y-%m-%d', time.gmtime(time.time() - 86400))


        unreached = []
        statuses = {}
        for op_id, inputs in inputs_of(api, produced, documented, portal_case, day, held, noticed).items():
            assert op_id in contract.ops, op_id
            if op_id == TOTP_ENROLMENT_OPERATIONS[0]:
                instance.stop()
                instance.require_totp()
                instance.serve()
            inputs = inputs + generic_inputs(contract.ops[op_id][0], inputs[0][2])
            counts['operations'] += 1
            counts['inputs'] += len(inputs)
            reached = False
            for name, valid, prepare in inputs:
                for caller in CALLERS:
                    params, query, body, media, headers = prepare()
                    who = caller
                    source = '127.0.0.1'
                    if op_id == 'signOut' and caller in ROLES:
                        who = api.sign_in(caller)  # its own session, so the caller's stays
                    if op_id == 'portalSignOut' and caller == 'portal':
                        who = api.portal_session()
                    if op_id in LIMITED_OPERATIONS:
                        source = api.next_source()
                    answer = api.do(op_id, who, params, query or '', body, media or 'application/json', headers,
                                    where=name, source=source)
                    counts['calls'] += 1
                    statuses[answer.status] = statuses.get(answer.status, 0) + 1
                    if valid and 200 <= answer.status < 300:
                        reached = True
                    if valid and contract.ops[op_id][2].get('security') != []:
                        # Who may call: the outside auditor only its own operation, and no one else that one.
                        own = op_id in EXTERNAL_AUDITOR_OPERATIONS
                        if caller == 'external_auditor' and not own and answer.status != 403:
                            failures.append('%s %s as external_auditor: %d, not 403' % (op_id, name, answer.status))
                        if own and caller not in ('external_auditor', 'auditor', 'nobody') and answer.status != 403:
                            failures.append('%s %s as %s: %d, not 403' % (op_id, name, caller, answer.status))
                        counts['role checks'] += 1
                    if not valid and not 400 <= answer.status < 500:
                        failures.append('%s %s as %s: %d for an invalid input' % (op_id, name, caller, answer.status))
            if not reached and any(valid for _, valid, _ in inputs):
                unreached.append(op_id)
        # The server's routes are the document's: at each path, a method the document does not
        # list is 405, and Allow lists exactly the methods it does (GET with HEAD).
        samples = {'id': 'C-2026-000001', 'production': 'P-2026-000001', 'grant': 'D-' + '0' * 32,
                   'hold': 'C-2026-000001-H1', 'sha256': '0' * 64, 'log': 'audit', 'period': '2026-H1',
                   'name': 'intake', 'token': '0' * 16, 'account': 'R-' + '0' * 16}
        problem = document['components']['schemas']['Problem']
        for path, item in document['paths'].items():
            listed = [m.upper() for m in item]
            allow = []
            for m in ['GET', 'POST', 'PUT']:
                if m in listed:
                    allow += [m, 'HEAD'] if m == 'GET' else [m]
            concrete = re.sub(r'\{(\w+)\}', lambda m: samples[m.group(1)], path)
            for method in ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']:
                if method in listed:
                    continue
                answer = call(instance.port, method, concrete, api.headers('admin'))
                where = '%s %s (not in the document)' % (method, concrete)
                counts['calls'] += 1
                counts['probes'] += 1
                if answer.status != 405 or answer.header('Allow') != ', '.join(allow):
                    failures.append('%s: %d, Allow %r; the document lists %s' %
                                    (where, answer.status, answer.header('Allow'), ', '.join(allow)))
                else:
                    contract.validate(problem, answer.json(), where)
        missing_ops = sorted(set(contract.ops) - set(inputs_of(api, produced, documented, portal_case, day, held, noticed)))
        if missing_ops:
            failures.append('operations never called: %s' % missing_ops)
        if unreached:
            failures.append('operations no valid call succeeded on: %s' % unreached)
        instance.stop()
        failures.extend('the server\'s sanitizers: ' + line for line in instance.sanitizer_findings())
        print('contract: %d operations x %d callers, %d inputs in all: %d calls, and %d probes of methods a path '
              'does not take; %d failures' % (counts['operations'], len(CALLERS), counts['inputs'],
                                     counts['calls'] - counts['probes'], counts['probes'], len(failures)))
        print('roles: %d valid calls held to who may make them (the outside auditor refused everywhere but '
              '%s, which refuses everyone else)' % (counts['role checks'], ', '.join(sorted(EXTERNAL_AUDITOR_OPERATIONS))))
        print('statuses: ' + ', '.join('%d: %d' % kv for kv in sorted(statuses.items())))
    except BaseException:
        print(instance.log_tail())
        raise
    finally:
        instance.close()
    for f in failures:
        print('FAIL: ' + f)
    print('%d passed, %d failed' % (counts['calls'] - min(len(failures), counts['calls']), len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
