#!/usr/bin/env python3
"""A real SMTP server for tests: every accepted message lands in DIR as <n>.eml.

    python3 smtp_sink.py --host 127.0.0.1 --port 0 --dir /tmp/mail

prints `READY <port>` on stdout once it listens (port 0 picks a free port) and then prints
nothing else. Numbering continues after the highest <n>.eml already in DIR, so a sink
restarted on the same directory never overwrites earlier messages. Each file is written under
a hidden temporary name and renamed, so a reader never sees half a message.

Each .eml is the message exactly as received over DATA, preceded by the envelope:
`X-Sink-Mail-From: <addr>` and one `X-Sink-Rcpt-To: <addr>` per accepted recipient.

Scripted failures, chosen by the recipient's local part (at RCPT TO):
    bounce…@any   550 5.1.1 (permanent)
    defer…@any    451 4.3.0 (transient)

With --auth-user/--auth-password the server advertises AUTH PLAIN/LOGIN on the plain
connection and refuses mail from clients that have not authenticated (535 on bad
credentials). Stop it with SIGTERM, SIGINT or SIGKILL.
"""

import argparse
import asyncio
import logging
import os
import re
import signal
import sys
import warnings

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    sys.stderr.write(
        "smtp_sink.py: the Python package aiosmtpd is not installed; "
        "run `pip install aiosmtpd` (CI does this in its tools step)\n"
    )
    sys.exit(3)

EML = re.compile(r"^(\d+)\.eml$")


class Sink:
    def __init__(self, directory):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        numbers = [int(m.group(1)) for m in map(EML.match, os.listdir(directory)) if m]
        self.next = max(numbers, default=0) + 1

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("bounce"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if local.startswith("defer"):
            return "451 4.3.0 <%s>: try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        n = self.next
        self.next += 1
        head = "X-Sink-Mail-From: <%s>\r\n" % envelope.mail_from
        head += "".join("X-Sink-Rcpt-To: <%s>\r\n" % r for r in envelope.rcpt_tos)
        tmp = os.path.join(self.directory, ".%d.eml.tmp" % n)
        with open(tmp, "wb") as f:
            f.write(head.encode("utf-8"))
            f.write(envelope.original_content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, os.path.join(self.directory, "%d.eml" % n))
        return "250 2.0.0 OK queued as %d" % n


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login.decode("utf-8", "replace") == user
            and auth_data.password.decode("utf-8", "replace") == password
        )
        # handled=False makes aiosmtpd answer 535 itself; the default leaves the client waiting.
        return AuthResult(success=ok, handled=False)

    return check


async def serve(args):
    sink = Sink(args.dir)
    options = dict(
        enable_SMTPUTF8=True,
        decode_data=False,
        # An explicit name: the default asks DNS for the FQDN, which can stall in sandboxes.
        hostname="linli-smtp-sink",
        ident="linli smtp sink",
    )
    if args.auth_user is not None:
        # Plain-text AUTH is the point here: the sink only ever listens on loopback in tests.
        warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
        logging.getLogger("mail.log").setLevel(logging.ERROR)
        options.update(
            authenticator=authenticator(args.auth_user, args.auth_password or ""),
            auth_required=True,
            auth_require_tls=False,
        )
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(sink, **options), host=args.host, port=args.port)
    port = server.sockets[0].getsockname()[1]
    print("READY %d" % port, flush=True)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--auth-user")
    parser.add_argument("--auth-password")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
