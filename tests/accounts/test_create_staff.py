"""`madoguchi create-staff`: a staff account whose generated password is shown once."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from madoguchi.accounts.models import User

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("create_staff", *args, stdout=out)
    return out.getvalue()


def test_create_staff_prints_a_password_that_logs_in(client: Client) -> None:
    output = run("--email", "Agent@Tsukimi.Example", "--role", "agent")
    password = re.search(r"：(\S+)|: (\S+)", output.splitlines()[1])
    assert password
    secret = password.group(1) or password.group(2)
    assert len(secret) >= 20
    user = User.objects.get(email="agent@tsukimi.example")
    assert user.role == "agent" and user.is_staff
    response = client.post("/en/accounts/login/", {"login": user.email, "password": secret})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(user.pk)


def test_create_staff_refuses_a_customer_role_and_an_existing_email() -> None:
    with pytest.raises(CommandError):
        run("--email", "x@tsukimi.example", "--role", "customer")
    run("--email", "ed@tsukimi.example", "--role", "editor")
    with pytest.raises(CommandError, match=r"already exists|すでに存在"):
        run("--email", "ED@tsukimi.example", "--role", "editor")


def test_create_staff_refuses_an_invalid_email() -> None:
    with pytest.raises(CommandError):
        run("--email", "not-an-address", "--role", "agent")
    assert not User.objects.exists()


def test_the_command_is_reachable_with_a_hyphen_through_the_madoguchi_script() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "madoguchi.cli", "help", "create-staff"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "--role" in result.stdout
