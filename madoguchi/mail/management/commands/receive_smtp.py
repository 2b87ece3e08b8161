"""`madoguchi receive-smtp`: take mail by direct SMTP delivery until stopped (SIGTERM, SIGINT).

Point the mail server's transport for the support domain here (docs/email.md). The receiver
takes mail for MADOGUCHI_MAIL_REPLY_ADDRESSES only, so it can listen where the mail server
reaches it without becoming an open relay.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from madoguchi.mail.receive.smtp import SmtpReceiver


class Command(BaseCommand):
    help = "Take mail for the support addresses by SMTP until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--host",
            default=None,
            help="address to listen on (default: MADOGUCHI_SMTP_RECEIVER_HOST, 127.0.0.1)",
        )
        parser.add_argument(
            "--port",
            type=int,
            default=None,
            help="port to listen on; 0 takes a free one (default: MADOGUCHI_SMTP_RECEIVER_PORT)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not [a for a in settings.MADOGUCHI_MAIL_REPLY_ADDRESSES if "@" in a]:
            raise CommandError(
                _("MADOGUCHI_MAIL_REPLY_ADDRESSES names no address to take mail for.")
            )
        receiver = SmtpReceiver(host=options["host"], port=options["port"])
        stopping = threading.Event()

        def stop(signum: int, frame: Any) -> None:
            stopping.set()

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            try:
                receiver.start()
            except OSError as error:
                raise CommandError(
                    _("Cannot listen on %(address)s: %(error)s.")
                    % {"address": f"{receiver.hostname}:{receiver.port}", "error": error.strerror}
                ) from None
            self.stdout.write(
                _("Taking mail by SMTP on %(address)s.")
                % {"address": f"{receiver.hostname}:{receiver.port}"}
            )
            self.stdout.flush()
            while not stopping.wait(1):
                pass
            self.stdout.write(_("Stopping: finishing the messages being taken in."))
            self.stdout.flush()
            receiver.stop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
