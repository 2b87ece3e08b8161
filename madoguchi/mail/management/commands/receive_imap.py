"""`madoguchi receive-imap`: read the support mailboxes of MADOGUCHI_MAILBOXES over IMAP.

madoguchi receive-imap                 # every mailbox, one thread each, until stopped
madoguchi receive-imap --once          # take in what is there now and exit (cron, tests)
madoguchi receive-imap --mailbox NAME  # only that mailbox
madoguchi receive-imap --poll 30       # poll every 30 seconds where the server has no IDLE
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from imapclient.exceptions import LoginError

from madoguchi.mail.mailboxes import Mailbox, configured_mailboxes
from madoguchi.mail.receive.imap import (
    DEFAULT_POLL_SECONDS,
    ConnectionLost,
    read_once,
    watch_mailboxes,
)


class Command(BaseCommand):
    help = "Read the support mailboxes over IMAP and take their mail in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="take in the mail there now, then exit"
        )
        parser.add_argument(
            "--mailbox", metavar="NAME", help="read only this mailbox of MADOGUCHI_MAILBOXES"
        )
        parser.add_argument(
            "--poll",
            type=float,
            default=DEFAULT_POLL_SECONDS,
            metavar="SECONDS",
            help="seconds between looks where the server has no IDLE (default 60)",
        )
        parser.add_argument(
            "--no-idle", action="store_true", help="poll even where the server has IDLE"
        )

    def _mailboxes(self, name: str | None) -> tuple[Mailbox, ...]:
        try:
            mailboxes = configured_mailboxes()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        if name:
            mailboxes = tuple(mailbox for mailbox in mailboxes if mailbox.name == name)
            if not mailboxes:
                raise CommandError(
                    _("No mailbox named %(name)s in MADOGUCHI_MAILBOXES.") % {"name": name}
                )
        if not mailboxes:
            raise CommandError(_("MADOGUCHI_MAILBOXES names no mailbox to read."))
        return mailboxes

    def handle(self, *args: Any, **options: Any) -> None:
        mailboxes = self._mailboxes(options["mailbox"])
        if options["poll"] <= 0:
            raise CommandError(_("--poll must be a number of seconds above 0."))
        if options["once"]:
            self._once(mailboxes)
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_args: stop.set())
        watchers = watch_mailboxes(
            mailboxes,
            stop=stop,
            poll_seconds=options["poll"],
            use_idle=not options["no_idle"],
        )
        while not stop.wait(1.0):
            pass
        for watcher in watchers:
            watcher.join(timeout=30)

    def _once(self, mailboxes: tuple[Mailbox, ...]) -> None:
        failed: list[str] = []
        for mailbox in mailboxes:
            try:
                result = read_once(mailbox)
            except LoginError:
                failed.append(mailbox.name)
                self.stderr.write(
                    _("%(mailbox)s: the server refused the login.") % {"mailbox": mailbox.name}
                )
                continue
            except ConnectionLost:
                failed.append(mailbox.name)
                self.stderr.write(
                    _("%(mailbox)s: could not reach the server.") % {"mailbox": mailbox.name}
                )
                continue
            outcomes = ", ".join(f"{outcome} {count}" for outcome, count in result.outcomes)
            self.stdout.write(f"{mailbox.name}\t{result.fetched}\t{outcomes}")
        if failed:
            raise CommandError(
                _("Some mailboxes could not be read: %(names)s.") % {"names": ", ".join(failed)}
            )
