"""Loading the demo content of `madoguchi/helpcenter/demo/` (articles, guides) idempotently."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from madoguchi.helpcenter.article_files import read_markdown_folder
from madoguchi.helpcenter.errors import HelpCenterError
from madoguchi.helpcenter.guide_files import GuideDefinition, GuideFormatError, load_guide_yaml
from madoguchi.helpcenter.models import Category, Guide, Section, other_locale
from madoguchi.helpcenter.services import (
    ImportReport,
    import_articles,
    link_guide_translations,
    save_category,
    save_guide,
    save_section,
)

DEMO_DIR = Path(__file__).resolve().parent / "demo"

# slug: (name_ja, name_en, description_ja, description_en, icon)
DEMO_CATEGORIES: dict[str, tuple[str, str, str, str, str]] = {
    "account": (
        "アカウント",
        "Account",
        "ログイン、パスワード、登録情報の変更、アカウントの解約",
        "Logging in, passwords, changing your details, closing the account",
        "",
    ),
    "security": (
        "セキュリティ",
        "Security",
        "2段階認証、フィッシング対策、不審なログインへの対応",
        "Two-factor authentication, phishing, suspicious logins",
        "",
    ),
    "trading": (
        "取引",
        "Trading",
        "注文の出し方、約定しない注文、取引の制限",
        "Placing orders, orders that do not fill, trading limits",
        "",
    ),
    "deposits-withdrawals": (
        "入出金",
        "Deposits & Withdrawals",
        "暗号資産と日本円の入金・出金、反映の遅れ、アドレス",
        "Crypto and JPY deposits and withdrawals, delays, addresses",
        "",
    ),
    "fees": (
        "手数料",
        "Fees",
        "取引手数料、入出金手数料、ネットワーク手数料",
        "Trading fees, deposit and withdrawal fees, network fees",
        "",
    ),
    "verification": (
        "本人確認",
        "Identity verification",
        "本人確認書類の提出、審査の状況、再提出",
        "Submitting documents, review status, resubmitting",
        "",
    ),
}

# Names for the demo's sections (slugs from the articles' front matter); a
# `demo/sections.yaml` ({category, slug, name_ja, name_en} per item) overrides them.
DEMO_SECTIONS: dict[str, tuple[str, str]] = {
    "login": ("ログイン", "Logging in"),
    "account-management": ("アカウントの管理", "Managing your account"),
    "account-protection": ("アカウントの保護", "Protecting your account"),
    "profile": ("登録情報", "Your details"),
    "support": ("お問い合わせ", "Contacting support"),
    "two-factor": ("2段階認証", "Two-factor authentication"),
    "phishing": ("フィッシング対策", "Phishing"),
    "crypto-deposits": ("暗号資産の入金", "Crypto deposits"),
    "crypto-withdrawals": ("暗号資産の出金", "Crypto withdrawals"),
    "jpy": ("日本円の入出金", "JPY deposits and withdrawals"),
    "transactions": ("取引履歴", "Transaction history"),
    "discounts": ("割引", "Discounts"),
    "fee-schedule": ("手数料一覧", "Fee schedule"),
    "orders": ("注文", "Orders"),
    "spot-trading": ("現物取引", "Spot trading"),
    "kyc": ("本人確認の手続き", "Verifying your identity"),
    "personal-info": ("登録情報の変更", "Personal information"),
}


@dataclass(slots=True)
class DemoReport:
    articles: ImportReport
    guides_saved: int = 0
    guide_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.articles.ok and not self.guide_problems


def load_categories() -> None:
    for position, (slug, (name_ja, name_en, desc_ja, desc_en, icon)) in enumerate(
        DEMO_CATEGORIES.items(), start=1
    ):
        save_category(
            slug=slug,
            name_ja=name_ja,
            name_en=name_en,
            description_ja=desc_ja,
            description_en=desc_en,
            position=position * 10,
            icon=icon,
            category=Category.objects.filter(slug=slug).first(),
        )


def name_sections(directory: Path) -> None:
    """Give the demo's sections their names once the import has created them."""
    names = {slug: (ja, en) for slug, (ja, en) in DEMO_SECTIONS.items()}
    overrides = directory / "sections.yaml"
    if overrides.exists():
        for item in yaml.safe_load(overrides.read_text(encoding="utf-8")) or []:
            if isinstance(item, dict) and item.get("slug"):
                names[str(item["slug"])] = (str(item.get("name_ja")), str(item.get("name_en")))
    order = {slug: position for position, slug in enumerate(names)}
    for section in Section.objects.select_related("category").filter(slug__in=names):
        ja, en = names[section.slug]
        save_section(
            section=section,
            category=section.category,
            slug=section.slug,
            name_ja=ja,
            name_en=en,
            position=order[section.slug],
        )


def load_guides(folder: Path) -> tuple[int, list[str]]:
    """Save every `*.yaml` guide in `folder`, then link the pairs; problems name the file."""
    problems: list[str] = []
    saved: list[GuideDefinition] = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            definition = load_guide_yaml(path.read_text(encoding="utf-8"))
            save_guide(definition=definition)
        except UnicodeDecodeError:
            problems.append(f"{path.name}: " + _("invalid UTF-8"))
        except GuideFormatError as error:
            problems.extend(f"{path.name}: {problem}" for problem in error.problems)
        except HelpCenterError as error:
            problems.extend(
                f"{path.name}: {problem}" for problem in error.details or [error.message]
            )
        else:
            saved.append(definition)
    for definition in saved:
        if not definition.translation_of:
            continue
        mine = Guide.objects.get(slug=definition.slug, locale=definition.locale)
        other = Guide.objects.filter(
            slug=definition.translation_of, locale=other_locale(definition.locale)
        ).first()
        if other is None:
            problems.append(
                f"{definition.slug}.{definition.locale}.yaml: "
                + _("translation_of: no guide “%(slug)s”") % {"slug": definition.translation_of}
            )
        elif mine.translation_id != other.pk:
            link_guide_translations(guide=mine, translation=other)
    return len(saved), problems


def load_demo_content(
    directory: Path = DEMO_DIR, *, progress: Callable[[int], None] | None = None
) -> DemoReport:
    load_categories()
    articles = import_articles(read_markdown_folder(directory / "articles"), progress=progress)
    name_sections(directory)
    count, problems = load_guides(directory / "guides")
    return DemoReport(articles=articles, guides_saved=count, guide_problems=problems)
