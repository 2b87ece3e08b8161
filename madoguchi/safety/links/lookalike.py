"""Decide whether a host is official, a look-alike of an official domain, or someone else's.

Brand words come from the registry's domains (tsukimi.example gives "tsukimi"). A host
whose registrable label only looks like a brand word is a look-alike: confusable letters from
other scripts or with accents (Unicode confusables, via confusable-homoglyphs), punycode that
decodes to such letters, a typo within edit distance 2 (rapidfuzz), the brand with extra words
("tsukimi-support"), the brand under another suffix (tsukimi.co), or the whole official name
used as a subdomain of another domain (tsukimi.example.login-verify.com).
"""

from __future__ import annotations

import contextlib
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache

import idna
from confusable_homoglyphs import confusables
from rapidfuzz.distance import Levenshtein

from madoguchi.safety.links.extract import domain_parser

MAX_TYPO_DISTANCE = 2
# A brand word shorter than this is too easily found inside unrelated names.
MIN_BRAND_LENGTH = 4


class LinkKind(StrEnum):
    OFFICIAL = "official"
    LOOKALIKE = "lookalike"
    OTHER = "other"


class LinkReason(StrEnum):
    OFFICIAL_DOMAIN = "official_domain"
    HOMOGLYPH = "homoglyph"
    MIXED_SCRIPT = "mixed_script"
    PUNYCODE = "punycode"
    TYPOSQUAT = "typosquat"
    EXTRA_WORDS = "extra_words"
    OTHER_SUFFIX = "other_suffix"
    OFFICIAL_AS_SUBDOMAIN = "official_as_subdomain"
    USERINFO = "userinfo"
    DISGUISED_TEXT = "disguised_text"
    EXTERNAL = "external"
    UNREADABLE_HOST = "unreadable_host"


def decode_host(host: str) -> tuple[str, bool]:
    """The Unicode form of `host` (lower case, no trailing dot) and whether it used punycode."""
    host = host.strip().strip(".").lower()
    labels = host.split(".")
    used_punycode = False
    decoded = []
    for label in labels:
        if label.startswith("xn--"):
            used_punycode = True
            try:
                label = idna.decode(label)
            except (idna.IDNAError, UnicodeError, ValueError):
                with contextlib.suppress(UnicodeError, ValueError):
                    label = label[4:].encode("ascii").decode("punycode")
        decoded.append(label)
    return ".".join(decoded), used_punycode


def ascii_host(host: str) -> str:
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return host


@lru_cache(maxsize=4096)
def skeleton(label: str) -> str:
    """What `label` looks like in plain Latin: accents dropped, confusables mapped to Latin."""
    plain = "".join(
        char for char in unicodedata.normalize("NFKD", label) if not unicodedata.combining(char)
    )
    out = []
    for char in plain:
        if char.isascii():
            out.append(char.lower())
            continue
        latin = None
        found = confusables.is_confusable(char, greedy=True, preferred_aliases=["latin"])
        for entry in found or []:
            for homoglyph in entry["homoglyphs"]:
                candidate = homoglyph["c"]
                if len(candidate) == 1 and candidate.isascii() and candidate.isalnum():
                    latin = candidate.lower()
                    break
            if latin:
                break
        out.append(latin or char)
    return "".join(out)


def _is_mixed_script(label: str) -> bool:
    letters = "".join(char for char in label if char.isalpha())
    return bool(letters) and bool(confusables.is_mixed_script(letters))


def _near(word: str, brand: str) -> bool:
    limit = MAX_TYPO_DISTANCE if len(brand) >= 6 else 1
    return Levenshtein.distance(word, brand, score_cutoff=limit) <= limit


@lru_cache(maxsize=32)
def brand_words(domains: frozenset[str]) -> frozenset[str]:
    """The registrable labels of the official domains, Unicode and hyphen-free forms too."""
    words: set[str] = set()
    for domain in domains:
        label = domain_parser()(decode_host(domain)[0]).domain
        for word in (label, label.replace("-", "")):
            if len(word) >= MIN_BRAND_LENGTH:
                words.add(word)
    return frozenset(words)


def is_official(host: str, domains: Iterable[str]) -> bool:
    ascii_form = ascii_host(host)
    return any(ascii_form == d or ascii_form.endswith("." + d) for d in domains)


def _label_reasons(label: str, brands: frozenset[str]) -> list[LinkReason]:
    """Why a registrable label (or one subdomain label) imitates a brand word, if it does."""
    shape = skeleton(label)
    flat = shape.replace("-", "").replace("_", "")
    reasons: list[LinkReason] = []
    disguised = shape != label.lower()
    for brand in brands:
        if disguised and (flat == brand or _near(flat, brand)):
            reasons.append(LinkReason.HOMOGLYPH)
        elif flat != brand and _near(flat, brand):
            reasons.append(LinkReason.TYPOSQUAT)
        elif flat != brand and brand in flat:
            reasons.append(LinkReason.EXTRA_WORDS)
        else:
            parts = [p for p in shape.replace("_", "-").split("-") if p]
            if len(parts) > 1 and any(_near(part, brand) for part in parts):
                reasons.append(LinkReason.TYPOSQUAT)
                reasons.append(LinkReason.EXTRA_WORDS)
        if reasons and disguised and LinkReason.HOMOGLYPH not in reasons:
            reasons.insert(0, LinkReason.HOMOGLYPH)
        if reasons:
            if _is_mixed_script(label):
                reasons.append(LinkReason.MIXED_SCRIPT)
            return reasons
    return reasons


def classify_host(host: str, domains: frozenset[str]) -> tuple[LinkKind, tuple[LinkReason, ...]]:
    """The kind of `host` against the official `domains` (ASCII forms), with the reasons."""
    unicode_host, used_punycode = decode_host(host)
    if not unicode_host or " " in unicode_host:
        return LinkKind.OTHER, (LinkReason.UNREADABLE_HOST,)
    if is_official(unicode_host, domains):
        return LinkKind.OFFICIAL, (LinkReason.OFFICIAL_DOMAIN,)
    brands = brand_words(domains)
    parts = domain_parser()(unicode_host)
    reasons: list[LinkReason] = []
    label = parts.domain or unicode_host.split(".")[0]
    label_reasons = _label_reasons(label, brands)
    if label_reasons:
        reasons.extend(label_reasons)
    elif skeleton(label).replace("-", "") in brands:
        # The brand itself, unaltered, under a suffix that is not official: tsukimi.co.
        reasons.append(LinkReason.OTHER_SUFFIX)
    for sub in filter(None, parts.subdomain.split(".")):
        if skeleton(sub).replace("-", "") in brands or _label_reasons(sub, brands):
            reasons.append(LinkReason.OFFICIAL_AS_SUBDOMAIN)
            break
    if not reasons and not parts.suffix:
        # Unknown suffix: compare the whole host, dots and all, against each brand.
        for brand in brands:
            if brand in skeleton(unicode_host).replace("-", "").replace(".", ""):
                reasons.append(LinkReason.EXTRA_WORDS)
                break
    if reasons:
        if used_punycode:
            reasons.append(LinkReason.PUNYCODE)
        return LinkKind.LOOKALIKE, tuple(dict.fromkeys(reasons))
    return LinkKind.OTHER, (LinkReason.EXTERNAL,)
