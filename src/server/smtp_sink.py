#!/usr/bin/python3
"""An SMTP server for the alert tests, on loopback (Debian's python3-aiosmtpd, scripts/setup.sh
--tests): every message it accepts is written to DIR as message-N.json, N from 1, with its
envelope ({"from", "to", "data", "tls", "login"}); its port goes to DIR/port once it listens.
While DIR/refuse exists, every message is refused after its recipients (451: try again later).
A recipient whose address begins with "refused" is refused (550). SIGTERM stops it.

Usage: smtp_sink.py DIR [--tls CERT KEY] [--login USER PASSWORD]
  --tls    offers STARTTLS with the certificate, and takes mail only over it
  --login  requires AUTH (over TLS) with this user name and password"""
import json
import logging
import os
import signal
import socket
import ssl
import sys
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

# Quiet: aiosmtpd 1.4 warns of its own names, and logs each refused TLS handshake (which tests
# cause on purpose) with its traceback.
warnings.simplefilter('ignore')
logging.getLogger('mail.log').setLevel(logging.CRITICAL)


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('refused'):
            return '550 5.1.1 no such mailbox'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        if os.path.exists(os.path.join(self.directory, 'refuse')):
            return '451 4.3.0 try again later'
        self.count += 1
        path = os.path.join(self.directory, 'message-%d.json' % self.count)
        with open(path + '.tmp', 'w') as f:
            json.dump({'from': envelope.mail_from, 'to': envelope.rcpt_tos,
                       'data': envelope.content.decode('utf-8', 'replace'),
                       'tls': session.ssl is not None,
                       'login': session.auth_data.login.decode() if session.authenticated else None}, f)
        os.rename(path + '.tmp', path)  # whole, or not there
        return '250 OK'


def main():
    directory = sys.argv[1]
    args = sys.argv[2:]
    kwargs = {}
    if '--tls' in args:
        at = args.index('--tls')
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args[at + 1], args[at + 2])
        kwargs.update(tls_context=context, require_starttls=True)
    if '--login' in args:
        at = args.index('--login')
        user, password = args[at + 1].encode(), args[at + 2].encode()

        def check(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == user and auth_data.password == password
            return AuthResult(success=ok, auth_data=auth_data if ok else None)
        kwargs.update(authenticator=check, auth_required=True, auth_require_tls=True)
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    controller = Controller(Sink(directory), hostname='127.0.0.1', port=port, **kwargs)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM, signal.SIGINT})
    controller.start()
    with open(os.path.join(directory, 'port.tmp'), 'w') as f:
        f.write(str(port))
    os.rename(os.path.join(directory, 'port.tmp'), os.path.join(directory, 'port'))
    signal.sigwait({signal.SIGTERM, signal.SIGINT})
    controller.stop()


if __name__ == '__main__':
    main()
