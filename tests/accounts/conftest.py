"""Accounts fixtures: users made through the real service, real TOTP codes, a clean cache."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import Client

from madoguchi.accounts.models import User
from madoguchi.accounts.services import create_user

PASSWORD = "correct horse battery staple 7"


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    # Rate-limit counters and used TOTP codes live in the cache; each test starts afresh.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(role: str = "customer", language: str = "ja", email: str | None = None) -> User:
        address = email or f"{role}{next(counter)}@tsukimi.example"
        return create_user(email=address, password=PASSWORD, role=role, language=language)

    return make


def totp_code(secret: str) -> str:
    """The code an authenticator app shows now, computed with allauth's own HOTP function.

    Near the end of a period, waits for the next one so the server checks the same window.
    """
    period = mfa_settings.TOTP_PERIOD
    if period - time.time() % period < 2:
        time.sleep(period - time.time() % period + 0.05)
    return format_hotp_value(hotp_value(secret, int(time.time()) // period))


def log_in(client: Client, email: str, password: str = PASSWORD, language: str = "ja"):
    return client.post(f"/{language}/accounts/login/", {"login": email, "password": password})


def enrol_totp(client: Client, language: str = "ja", password: str = PASSWORD) -> str:
    """Enrol an authenticator through the activation page, as a person would; returns the secret.

    allauth asks for the password once more before a second factor changes, even right
    after login (MFA_REAUTHENTICATION_REQUIRED), so a borrowed session cannot enrol one.
    """
    activate = f"/{language}/accounts/2fa/totp/activate/"
    page = client.get(activate)
    if page.status_code == 302 and "/accounts/reauthenticate/" in page["Location"]:
        again = client.post(page["Location"], {"password": password})
        assert again.status_code == 302, again.content.decode()[:2000]
        assert again["Location"] == activate
        page = client.get(activate)
    assert page.status_code == 200
    secret = re.search(
        r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"|value="([A-Z2-7]+)"[^>]*id="authenticator_secret"',
        page.content.decode(),
    )
    assert secret, "the activation page shows the secret to type into an app"
    value = secret.group(1) or secret.group(2)
    response = client.post(f"/{language}/accounts/2fa/totp/activate/", {"code": totp_code(value)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return value
