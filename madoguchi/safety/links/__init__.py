"""Links in what customers and strangers write: which point at the exchange, which only look
like it, and which go elsewhere. `check_links` reports; `neutralize_links` also defangs every
look-alike so that no renderer turns it back into a link."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from madoguchi.safety.links.extract import FoundLink, find_links, matching_copy
from madoguchi.safety.links.lookalike import LinkKind, LinkReason, classify_host, decode_host
from madoguchi.safety.selectors import official_domains

__all__ = [
    "LinkFinding",
    "LinkKind",
    "LinkReason",
    "LinkReport",
    "check_links",
    "neutralize_links",
    "reason_message",
]


def reason_message(reason: LinkReason) -> str:
    """The reason in the active language, for the customer and the agent."""
    messages = {
        LinkReason.OFFICIAL_DOMAIN: _("This is an official domain of the exchange."),
        LinkReason.HOMOGLYPH: _(
            "The address uses letters that only look like the exchange's name."
        ),
        LinkReason.MIXED_SCRIPT: _("The address mixes letters from different alphabets."),
        LinkReason.PUNYCODE: _("The address is written in punycode (xn--) that hides its letters."),
        LinkReason.TYPOSQUAT: _("The address is a misspelling of the exchange's name."),
        LinkReason.EXTRA_WORDS: _("The address adds words to the exchange's name."),
        LinkReason.OTHER_SUFFIX: _("The exchange's name under a domain ending it does not use."),
        LinkReason.OFFICIAL_AS_SUBDOMAIN: _(
            "The exchange's name is only the start of another site's address."
        ),
        LinkReason.USERINFO: _(
            "The exchange's name comes before an @ sign; the link goes to another site."
        ),
        LinkReason.DISGUISED_TEXT: _(
            "The link shows the exchange's address but leads to another site."
        ),
        LinkReason.EXTERNAL: _("This link leads to a site outside the exchange."),
        LinkReason.UNREADABLE_HOST: _("The address of this link cannot be read."),
    }
    return messages[reason]


@dataclass(frozen=True, slots=True)
class LinkFinding:
    """One link in the text: where it is, where it goes, and what it is."""

    text: str  # as written
    url: str
    host: str  # Unicode form, lower case
    kind: LinkKind
    reasons: tuple[LinkReason, ...]
    start: int
    end: int
    is_email: bool = False

    @property
    def reason(self) -> LinkReason:
        return self.reasons[0]

    @property
    def is_lookalike(self) -> bool:
        return self.kind == LinkKind.LOOKALIKE

    @property
    def is_external(self) -> bool:
        return self.kind == LinkKind.OTHER

    @property
    def messages(self) -> list[str]:
        return [reason_message(reason) for reason in self.reasons]


@dataclass(frozen=True, slots=True)
class LinkReport:
    findings: tuple[LinkFinding, ...] = field(default_factory=tuple)

    @property
    def lookalikes(self) -> list[LinkFinding]:
        return [f for f in self.findings if f.kind == LinkKind.LOOKALIKE]

    @property
    def official(self) -> list[LinkFinding]:
        return [f for f in self.findings if f.kind == LinkKind.OFFICIAL]

    @property
    def external(self) -> list[LinkFinding]:
        return [f for f in self.findings if f.kind == LinkKind.OTHER]

    @property
    def has_lookalikes(self) -> bool:
        return any(f.kind == LinkKind.LOOKALIKE for f in self.findings)


def _host_and_userinfo(link: FoundLink) -> tuple[str, str]:
    if link.is_email:
        return link.url.rpartition("@")[2].split("?", 1)[0], ""
    try:
        parts = urlsplit(link.url)
        host = parts.hostname or ""
        userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    except ValueError:
        # A bracketed host that is not an IPv6 address, and the like.
        authority = link.url.split("://", 1)[-1].split("/", 1)[0]
        userinfo, _at, host = authority.rpartition("@")
    return host, userinfo


def _finding(link: FoundLink, domains: frozenset[str]) -> LinkFinding:
    host, userinfo = _host_and_userinfo(link)
    kind, reasons = classify_host(host, domains)
    if userinfo and kind != LinkKind.OFFICIAL:
        # https://tsukimi.example@evil.com/ shows the brand but sends the browser to evil.com.
        fake_kind, _reasons = classify_host(userinfo.split(":", 1)[0], domains)
        if fake_kind != LinkKind.OTHER:
            kind, reasons = LinkKind.LOOKALIKE, (LinkReason.USERINFO, *reasons)
    return LinkFinding(
        text=link.raw,
        url=link.url,
        host=decode_host(host)[0],
        kind=kind,
        reasons=tuple(r for r in reasons if r != LinkReason.EXTERNAL or kind == LinkKind.OTHER),
        start=link.start,
        end=link.end,
        is_email=link.is_email,
    )


# [shown text](target) in Markdown and <a href="target">shown text</a> in HTML, bounded so a
# long message cannot make the patterns backtrack for long.
_MARKDOWN_LINK = re.compile(r"\[(?P<shown>[^\]\n]{1,500})\]\(\s*<?(?P<target>[^)\s>]{1,2000})")
_HTML_LINK = re.compile(
    r"<a\b[^>]{0,500}?\bhref\s*=\s*[\"']?(?P<target>[^\"'\s>]{1,2000})[^>]{0,500}>"
    r"(?P<shown>[^<]{1,500})</a",
    re.IGNORECASE,
)


def _unmask_disguised_targets(text: str, findings: list[LinkFinding]) -> None:
    """A link whose shown text is an official address but whose target is not one."""
    for pattern in (_MARKDOWN_LINK, _HTML_LINK):
        for match in pattern.finditer(text):
            shown = range(match.start("shown"), match.end("shown"))
            target = range(match.start("target"), match.end("target"))
            shows_official = any(
                f.start in shown and f.kind != LinkKind.OTHER and not f.is_email for f in findings
            )
            if not shows_official:
                continue
            for index, finding in enumerate(findings):
                if finding.start in target and finding.kind == LinkKind.OTHER:
                    findings[index] = replace(
                        finding, kind=LinkKind.LOOKALIKE, reasons=(LinkReason.DISGUISED_TEXT,)
                    )


def check_links(text: str) -> LinkReport:
    """Find every link in `text` and classify its host against the official domains.

    Never raises on odd input (control characters, broken URLs, very long text): a link
    whose host cannot be read is reported as "other" with `UNREADABLE_HOST`.
    """
    if not text:
        return LinkReport()
    links = find_links(text)
    if not links:
        return LinkReport()
    domains = official_domains()
    findings = [_finding(link, domains) for link in links]
    if "](" in text or "<a" in text.lower():
        _unmask_disguised_targets(text, findings)
    return LinkReport(findings=tuple(findings))


def defang(raw: str) -> str:
    """`raw` in the not-clickable form security teams share: hxxps://evil[.]example/path."""
    lowered = matching_copy(raw).lower()  # ＨＴＴＰＳ：／／ is a scheme too
    if lowered.startswith("http"):
        raw = "hxxp" + raw[4:]
    elif lowered.startswith("mailto:"):
        raw = raw[len("mailto:") :]
    for dot in (".", "\u3002", "\uff0e", "\uff61"):
        raw = raw.replace(dot, "[.]")
    return raw.replace("@", "[@]")


def neutralize_links(text: str) -> tuple[str, list[LinkFinding]]:
    """`text` with every look-alike link defanged, and the findings for every link.

    Official and other links stay as they are (findings mark the others as external);
    spans in the findings refer to the original `text`.
    """
    findings = list(check_links(text).findings)
    safe = text
    for finding in sorted(findings, key=lambda f: f.start, reverse=True):
        if finding.kind == LinkKind.LOOKALIKE:
            safe = safe[: finding.start] + defang(finding.text) + safe[finding.end :]
    return safe, findings
