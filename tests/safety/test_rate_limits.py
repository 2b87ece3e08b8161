"""The shared request counter: sliding windows, Retry-After, rates and client addresses."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings

from madoguchi.safety.rate_limits import Rate, client_address, hit, parse_rate


@pytest.fixture(autouse=True)
def _fresh_counts() -> Iterator[None]:
    # Request counts live in the cache; each test starts with none.
    cache.clear()
    yield
    cache.clear()


def test_a_burst_late_in_a_minute_is_still_counted_after_the_minute_turns() -> None:
    rate = Rate(limit=10, period=60)
    late_in_a_minute = 700 * 60 + 59.0
    for _ in range(10):
        assert hit(scope="edge", ident="a", rate=rate, now=late_in_a_minute) is None
    assert hit(scope="edge", ident="a", rate=rate, now=late_in_a_minute + 2) is not None
    assert hit(scope="edge", ident="a", rate=rate, now=late_in_a_minute + 45) is not None


def test_retry_after_is_the_first_second_at_which_a_request_fits_again() -> None:
    rate = Rate(limit=10, period=60)
    burst = 600 * 60 + 3.0
    for _ in range(10):
        assert hit(scope="wait", ident="a", rate=rate, now=burst) is None
    asked = burst + 1
    wait = hit(scope="wait", ident="a", rate=rate, now=asked)
    # The burst leaves the window a minute after it came, give or take a tenth of a minute.
    assert wait is not None and 54 <= wait + 1 <= 66
    assert hit(scope="wait", ident="a", rate=rate, now=asked + wait - 1) is not None
    assert hit(scope="wait", ident="a", rate=rate, now=asked + wait) is None
    assert hit(scope="wait", ident="a", rate=rate, now=asked + wait) is not None


def test_each_scope_and_each_ident_has_its_own_budget() -> None:
    rate = Rate(limit=1, period=3600)
    now = 500 * 3600 + 10.0
    assert hit(scope="submit-email", ident="a@example.jp", rate=rate, now=now) is None
    assert hit(scope="submit-email", ident="a@example.jp", rate=rate, now=now) is not None
    assert hit(scope="submit-email", ident="b@example.jp", rate=rate, now=now) is None
    assert hit(scope="reply", ident="a@example.jp", rate=rate, now=now) is None


def test_any_text_can_be_counted_even_a_lone_surrogate() -> None:
    rate = Rate(limit=1, period=60)
    for ident in ("\ud800", "\x00" * 5000, "👩‍💻", ""):
        assert hit(scope="odd", ident=ident, rate=rate, now=1000.0) is None
        assert hit(scope="odd", ident=ident, rate=rate, now=1000.0) is not None


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("600/m", Rate(600, 60)),
        ("10/s", Rate(10, 1)),
        ("1000/hour", Rate(1000, 3600)),
        ("5/15m", Rate(5, 900)),
        (" 20 / d ", Rate(20, 86400)),
    ],
)
def test_rates_are_written_as_django_ninja_writes_them(text: str, rate: Rate) -> None:
    assert parse_rate(text) == rate


@pytest.mark.parametrize("text", ["", "600", "0/m", "10/0m", "ten/m", "10/fortnight", "-1/s"])
def test_a_malformed_rate_is_a_configuration_error(text: str) -> None:
    with pytest.raises(ImproperlyConfigured, match="600/m"):
        parse_rate(text)


@pytest.mark.parametrize(
    ("remote", "counted"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:abcd::5", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("not an address" * 10, ("not an address" * 10)[:64]),
    ],
)
def test_a_client_is_counted_by_its_address_and_an_ipv6_client_by_its_slash_64(
    remote: str, counted: str
) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_address(request) == counted


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2)
def test_behind_trusted_proxies_the_address_is_that_many_hops_from_the_right() -> None:
    forwarded = "198.51.100.1, 203.0.113.5, 10.0.0.2"  # forged, client, first proxy
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == "203.0.113.5"
    short = RequestFactory().get("/", REMOTE_ADDR="10.0.0.3", HTTP_X_FORWARDED_FOR="10.0.0.2")
    assert client_address(short) == "10.0.0.3"
