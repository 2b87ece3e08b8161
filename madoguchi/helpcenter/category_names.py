"""Names for categories and sections that an import creates before an editor names them."""

from __future__ import annotations

# slug: (Japanese, English, position). The demo's six come first, then those of the
# shared test collection, so imported data lands in sensibly named categories.
KNOWN_CATEGORIES: dict[str, tuple[str, str, int]] = {
    "account": ("アカウント", "Account", 10),
    "security": ("セキュリティ", "Security", 20),
    "deposits-withdrawals": ("入出金", "Deposits & Withdrawals", 30),
    "trading": ("取引", "Trading", 40),
    "fees": ("手数料", "Fees", 50),
    "verification": ("本人確認", "Identity verification", 60),
    "api": ("API", "API", 70),
    "p2p": ("P2P取引", "P2P trading", 80),
    "futures": ("先物取引", "Futures", 90),
    "announcements": ("お知らせ", "Announcements", 100),
}


def _humanize(slug: str) -> str:
    return slug.replace("-", " ").replace("_", " ").strip().capitalize() or slug


def category_names(slug: str) -> tuple[str, str, int]:
    """(name_ja, name_en, position): known names, else the slug made readable, placed last."""
    if slug in KNOWN_CATEGORIES:
        return KNOWN_CATEGORIES[slug]
    return (_humanize(slug), _humanize(slug), 1000)


def section_names(slug: str) -> tuple[str, str]:
    return (_humanize(slug), _humanize(slug))
