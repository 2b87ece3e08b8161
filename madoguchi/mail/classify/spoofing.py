"""Does the sender pretend to be the exchange? A From address in one of our own domains or a
look-alike of one (the look-alike rules of madoguchi.safety.links), a display name that claims
the brand, or an Authentication-Results header of our own mail server (RFC 8601) reporting
that DMARC failed. Such mail is flagged for the agent and never trusted for threading.

Only Authentication-Results added by our own server (its authserv-id) count: anyone can add
the header to the mail they send, so one from another authserv-id is ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from madoguchi.mail.classify._message import addresses, parse, raw_values

__all__ = ["SpoofCheck", "SpoofFinding", "SpoofReason", "check_spoofing"]

DEFAULT_DOMAINS = ("tsukimi.example",)
DEFAULT_BRAND_NAMES = ("Tsukimi", "ツキミ", "月見")
DEFAULT_AUTHSERV_IDS = ("mx.tsukimi.example",)


class SpoofReason(StrEnum):
    OWN_DOMAIN = "own_domain"
    LOOKALIKE_DOMAIN = "lookalike_domain"
    BRAND_DISPLAY_NAME = "brand_display_name"
    AUTHENTICATION_FAILED = "authentication_failed"
    UNTRUSTED_AUTHENTICATION_RESULTS = "untrusted_authentication_results"


@dataclass(frozen=True)
class SpoofFinding:
    reason: SpoofReason
    detail: str  # in English, for the agent's view and the operator's log


@dataclass(frozen=True)
class SpoofCheck:
    findings: tuple[SpoofFinding, ...]
    trusted_for_threading: bool

    @property
    def suspicious(self) -> bool:
        return not self.trusted_for_threading


def _squeezed(text: str) -> str:
    """NFKC, case-folded, only letters and digits: "ＴＳＵＫＩＭＩ Support" -> "tsukimisupport"."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(char for char in folded if char.isalnum())


def _strip_comments(value: str) -> str:
    """RFC 8601 values may carry (comments), nested ones too."""
    previous = None
    while previous != value:
        previous, value = value, re.sub(r"\([^()]*\)", " ", value)
    return value


def _results(value: str) -> tuple[str, dict[str, str]]:
    """The authserv-id and the method -> result map of one Authentication-Results value."""
    value = _strip_comments(value)
    authserv_id, _, rest = value.partition(";")
    results: dict[str, str] = {}
    for clause in rest.split(";"):
        found = re.match(r"\s*([A-Za-z0-9_-]+)(?:/[0-9]+)?\s*=\s*([A-Za-z0-9_-]+)", clause)
        if found:
            results.setdefault(found.group(1).lower(), found.group(2).lower())
    return authserv_id.strip().split()[0].lower() if authserv_id.strip() else "", results


def _authentication_findings(values: list[str], authserv_ids: set[str]) -> list[SpoofFinding]:
    findings: list[SpoofFinding] = []
    trusted_seen = False
    for value in values:  # top first: the header our own server added is the first with its id
        authserv_id, results = _results(value)
        if authserv_id not in authserv_ids:
            findings.append(
                SpoofFinding(
                    SpoofReason.UNTRUSTED_AUTHENTICATION_RESULTS,
                    f"ignored Authentication-Results from {authserv_id or 'an unnamed server'}:"
                    " it was not added by our mail server",
                )
            )
            continue
        if trusted_seen:
            # RFC 8601 §5: a header further down claiming our id came with the message.
            findings.append(
                SpoofFinding(
                    SpoofReason.UNTRUSTED_AUTHENTICATION_RESULTS,
                    f"ignored a second Authentication-Results from {authserv_id}:"
                    " it arrived with the message",
                )
            )
            continue
        trusted_seen = True
        dmarc = results.get("dmarc")
        if dmarc is not None:
            if dmarc == "fail":
                findings.append(
                    SpoofFinding(
                        SpoofReason.AUTHENTICATION_FAILED,
                        f"our mail server {authserv_id} reports dmarc=fail",
                    )
                )
            continue
        # No DMARC verdict: like DMARC, one passing method suffices; flag failure otherwise.
        spf, dkim = results.get("spf"), results.get("dkim")
        if "pass" not in (spf, dkim) and "fail" in (spf, dkim):
            failed = " and ".join(
                f"{m}=fail" for m, r in (("spf", spf), ("dkim", dkim)) if r == "fail"
            )
            findings.append(
                SpoofFinding(
                    SpoofReason.AUTHENTICATION_FAILED,
                    f"our mail server {authserv_id} reports {failed} and no DMARC result",
                )
            )
    return findings


def check_spoofing(
    raw: bytes,
    own_domains: Iterable[str] = DEFAULT_DOMAINS,
    brand_names: Iterable[str] = DEFAULT_BRAND_NAMES,
    authserv_ids: Iterable[str] = DEFAULT_AUTHSERV_IDS,
) -> SpoofCheck:
    """Whether `raw` claims to come from the exchange (`own_domains`, ASCII forms), in words
    for the agent, and whether its references may be trusted to join a ticket."""
    # Imported here: madoguchi.safety.links loads Django models, and the other modules of this
    # package are plain Python that needs no Django set up.
    from madoguchi.safety.links.lookalike import LinkKind, classify_host

    message = parse(raw)
    domains = frozenset(d.strip().lower().strip(".") for d in own_domains if d.strip())
    brands = [_squeezed(name) for name in brand_names if _squeezed(name)]
    findings: list[SpoofFinding] = []
    for display, address in dict.fromkeys(addresses(message, "From", "Sender")):
        domain = address.rpartition("@")[2].strip().strip(".>").lower()
        kind = LinkKind.OTHER
        if domain and domains:
            try:
                kind, _reasons = classify_host(domain, domains)
            except Exception:  # an unreadable domain is not ours
                kind = LinkKind.OTHER
        if kind == LinkKind.OFFICIAL:
            findings.append(
                SpoofFinding(
                    SpoofReason.OWN_DOMAIN,
                    f"the sender {address} is in our own domain, but mail from the exchange"
                    " does not arrive at the support address",
                )
            )
        elif kind == LinkKind.LOOKALIKE:
            findings.append(
                SpoofFinding(
                    SpoofReason.LOOKALIKE_DOMAIN,
                    f"the sender's domain {domain} looks like one of ours",
                )
            )
        elif display and any(brand in _squeezed(display) for brand in brands):
            findings.append(
                SpoofFinding(
                    SpoofReason.BRAND_DISPLAY_NAME,
                    f"the sender's name {display!r} claims to be the exchange, but {address}"
                    " is not one of our addresses",
                )
            )
    ids = {i.strip().lower() for i in authserv_ids if i.strip()}
    findings.extend(_authentication_findings(raw_values(message, "Authentication-Results"), ids))
    distrust = {
        SpoofReason.OWN_DOMAIN,
        SpoofReason.LOOKALIKE_DOMAIN,
        SpoofReason.BRAND_DISPLAY_NAME,
        SpoofReason.AUTHENTICATION_FAILED,
    }
    return SpoofCheck(
        findings=tuple(dict.fromkeys(findings)),
        trusted_for_threading=not any(f.reason in distrust for f in findings),
    )
