"""Run by bench/helpdesk/.venv/bin/python with this folder on the path, never by madoguchi.

provision.py prepare    migrate, create the public queues, print the versions as JSON
provision.py tickets    print every stored ticket as JSON: [email, title, description]
"""

import json
import sys
from importlib.metadata import version

import django

# One queue per kind of problem, as an exchange would set django-helpdesk up; the customer
# picks one on the public form, as madoguchi's customer picks a problem type.
QUEUES = (
    ("deposit", "入金が反映されない"),
    ("withdrawal", "出金が届かない"),
    ("login", "ログインできない"),
    ("trading", "取引できない"),
    ("security", "アカウントのセキュリティ"),
)


def prepare() -> None:
    from django.core.management import call_command
    from helpdesk.models import Queue

    call_command("migrate", verbosity=0, interactive=False)
    for slug, title in QUEUES:
        Queue.objects.update_or_create(
            slug=slug,
            defaults={"title": title, "allow_public_submission": True, "locale": "ja"},
        )
    packages = ("django-helpdesk", "Django", "gunicorn")
    print(json.dumps({package: version(package) for package in packages}))


def tickets() -> None:
    from helpdesk.models import Ticket

    rows = Ticket.objects.values_list("submitter_email", "title", "description")
    json.dump([list(row) for row in rows], sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    django.setup()
    {"prepare": prepare, "tickets": tickets}[sys.argv[1]]()
