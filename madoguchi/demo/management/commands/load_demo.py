"""`madoguchi load-demo`: the demo of Tsukimi Exchange: its Help Center, demo accounts of every
role, and a few tickets for the agent page.

Safe to run again: articles and guides are updated in place, existing accounts are left alone,
and the tickets are sent once.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from madoguchi.accounts.services import create_user
from madoguchi.demo.canned import load_demo_canned_replies
from madoguchi.demo.tickets import join_every_group, load_demo_rules, load_demo_tickets
from madoguchi.helpcenter.demo_loader import DEMO_DIR, load_demo_content

# Demo accounts only; `make demo` prints them so that anyone trying the product can log in.
DEMO_USERS = (
    ("demo@tsukimi.example", "tsukimi-demo-customer", "customer"),
    ("editor@tsukimi.example", "tsukimi-demo-editor", "editor"),
    ("agent@tsukimi.example", "tsukimi-demo-agent", "agent"),
    ("admin@tsukimi.example", "tsukimi-demo-admin", "admin"),
)


class Command(BaseCommand):
    help = "Load the demo categories, articles and guides, and create the demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-users", action="store_true", help="skip the demo accounts and their tickets"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = load_demo_content(DEMO_DIR)
        articles = report.articles
        self.stdout.write(
            _(
                "Articles: %(created)d created, %(updated)d updated, %(unchanged)d unchanged. "
                "Guides: %(guides)d saved."
            )
            % {
                "created": articles.created,
                "updated": articles.updated,
                "unchanged": articles.unchanged,
                "guides": report.guides_saved,
            }
        )
        for problem in articles.problems:
            self.stderr.write(str(problem))
        for message in report.guide_problems:
            self.stderr.write(message)
        if not options["no_users"]:
            self._users()
            self._tickets()
        if not report.ok:
            raise CommandError(_("Some demo content could not be loaded."), returncode=1)

    def _users(self) -> None:
        users = get_user_model().objects
        for email, password, role in DEMO_USERS:
            if users.filter(email=email).exists():
                self.stdout.write(
                    _("Demo %(role)s %(email)s already exists (password unchanged).")
                    % {"role": role, "email": email}
                )
                continue
            create_user(email=email, password=password, role=role)
            self.stdout.write(
                _("Demo %(role)s: %(email)s / password: %(password)s")
                % {"role": role, "email": email, "password": password}
            )
        self.stdout.write(
            _("Staff accounts set up an authenticator app (TOTP) at their first login.")
        )

    def _tickets(self) -> None:
        users = get_user_model().objects
        customer = users.get(email=DEMO_USERS[0][0])
        agent = users.get(email=DEMO_USERS[2][0])
        join_every_group(agent)
        rules = load_demo_rules()
        self.stdout.write(_("Routing rules: %(count)d created.") % {"count": rules})
        canned = load_demo_canned_replies()
        self.stdout.write(_("Canned replies: %(count)d created.") % {"count": canned})
        made = load_demo_tickets(customer=customer, agent=agent)
        self.stdout.write(_("Demo tickets: %(count)d sent.") % {"count": made})
