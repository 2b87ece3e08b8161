"""Every write to accounts: creating users, giving them a role, keeping role groups in step.

A role is both a field on the user (what the product checks) and a Django group of the
same name (what the admin checks). `set_role` keeps the two, `is_staff` and `is_superuser`
in agreement, so no code path has to remember all four.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q

from madoguchi.accounts.errors import AccountError, AccountErrorCode
from madoguchi.accounts.models import STAFF_ROLES, Role, User

logger = logging.getLogger(__name__)

# Which permissions each role's group holds, named by app label and codename prefix
# (None: every permission of the app). Looked up by label so that accounts never imports
# the apps it grants access to (DESIGN.md: dependencies point one way).
ROLE_PERMISSIONS: Mapping[Role, Mapping[str, str | None]] = {
    Role.CUSTOMER: {},
    Role.AGENT: {"helpcenter": "view_"},
    Role.MODERATOR: {"helpcenter": "view_"},
    Role.EDITOR: {"helpcenter": None, "search": None},
    # An administrator is a superuser; the group only names the role in the admin.
    Role.ADMIN: {},
}

LANGUAGES = frozenset({"ja", "en"})


def _permissions_for(role: Role) -> list[Permission]:
    rules = ROLE_PERMISSIONS[role]
    if not rules:
        return []
    condition = Q()
    for app_label, prefix in rules.items():
        rule = Q(content_type__app_label=app_label)
        if prefix:
            rule &= Q(codename__startswith=prefix)
        condition |= rule
    return list(Permission.objects.filter(condition))


def sync_role_groups() -> dict[str, int]:
    """Create or refresh one group per role with exactly the role's permissions.

    Idempotent; runs after every `migrate`, so permissions of apps added later join
    their groups without a data migration. Returns permission counts by group name.
    """
    counts: dict[str, int] = {}
    with transaction.atomic():
        for role in Role:
            group, _created = Group.objects.get_or_create(name=role.value)
            permissions = _permissions_for(role)
            group.permissions.set(permissions)
            counts[group.name] = len(permissions)
    return counts


def _apply_role(user: User, role: Role) -> None:
    user.role = role
    user.is_staff = role in STAFF_ROLES
    user.is_superuser = role == Role.ADMIN
    user.save(update_fields=["role", "is_staff", "is_superuser"])
    role_names = [r.value for r in Role]
    user.groups.remove(*Group.objects.filter(name__in=role_names).exclude(name=role.value))
    # The group's permissions come from sync_role_groups (run after every migrate).
    group, _created = Group.objects.get_or_create(name=role.value)
    user.groups.add(group)


def create_user(
    *,
    email: str,
    password: str | None,
    role: str = Role.CUSTOMER,
    language: str = "ja",
) -> User:
    """Create an account whose email is already verified, in the group of its role.

    For accounts made by operators, the demo and tests; customers who sign up on the
    site go through allauth, which verifies their address by mail. `password=None`
    leaves the account without a usable password (it can only reset one).
    Raises ValueError for an unknown role or language.
    """
    role = Role(role)
    if language not in LANGUAGES:
        raise ValueError(f"unknown language: {language!r}")
    email = User.objects.normalize_email(email).strip().lower()
    with transaction.atomic():
        user = User.objects.create_user(
            email=email, password=password, role=role, preferred_language=language
        )
        _apply_role(user, role)
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def mark_email_verified(*, user: User) -> EmailAddress:
    """Record the user's current email as verified and primary (made by an operator)."""
    with transaction.atomic():
        EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(
            primary=False
        )
        address, _created = EmailAddress.objects.update_or_create(
            user=user,
            email__iexact=user.email,
            defaults={"email": user.email, "verified": True, "primary": True},
        )
    return address


def set_role(*, user: User, role: str) -> User:
    """Give `user` the role: its group, and staff or superuser status to match."""
    with transaction.atomic():
        _apply_role(user, Role(role))
    return user


def set_preferred_language(*, user: User, language: str) -> User:
    if language not in LANGUAGES:
        raise ValueError(f"unknown language: {language!r}")
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return user


ANTI_PHISHING_CODE_MIN = 4
ANTI_PHISHING_CODE_MAX = 20
# Latin letters and digits, hiragana, katakana (with the long-vowel mark) and kanji (with
# the repetition mark 々). Other scripts are left out: a Cyrillic "а" would read as a Latin
# one in the mail, and the code is only worth something if it is read exactly.
_CODE_CHARACTERS = re.compile(
    r"[A-Za-z0-9\u3041-\u3096\u309d\u309e\u30a1-\u30fa\u30fc-\u30fe\u3005\u3400-\u4dbf\u4e00-\u9fff]+"
)
# Mail programs turn these into links, and a code that is a link invites clicking it.
_ADDRESS_LIKE = re.compile(r"://|\bwww\.|\w[\w-]*\.[a-z]{2,}\b", re.IGNORECASE)


def clean_anti_phishing_code(code: str) -> str:
    """The code as it will be stored and shown in mail, or AccountError saying what is wrong.

    NFKC first, so full-width "ＡＢＣ１" and half-width "ｶﾀｶﾅ" are stored as the characters
    people read in any mail program.
    """
    text = unicodedata.normalize("NFKC", code).strip()
    if "@" in text:
        raise AccountError(AccountErrorCode.CODE_AT_SIGN)
    if _ADDRESS_LIKE.search(text):
        raise AccountError(AccountErrorCode.CODE_LOOKS_LIKE_ADDRESS)
    if text and not _CODE_CHARACTERS.fullmatch(text):
        raise AccountError(AccountErrorCode.CODE_CHARACTERS)
    if not ANTI_PHISHING_CODE_MIN <= len(text) <= ANTI_PHISHING_CODE_MAX:
        raise AccountError(AccountErrorCode.CODE_LENGTH)
    return text


def set_anti_phishing_code(*, user: User, code: str) -> User:
    """Set or change the code every mail to `user` carries at the top.

    The caller has re-authenticated the person (accounts.views). Raises AccountError for a
    code that is not allowed. The log names the account and what happened, never the code.
    """
    cleaned = clean_anti_phishing_code(code)
    action = "changed" if user.anti_phishing_code else "set"
    user.anti_phishing_code = cleaned
    user.save(update_fields=["anti_phishing_code"])
    logger.info("anti-phishing code %s for user %s", action, user.pk)
    return user


def remove_anti_phishing_code(*, user: User) -> User:
    """Stop putting a code in mail to `user` (after re-authenticating, as for setting one)."""
    if not user.anti_phishing_code:
        return user
    user.anti_phishing_code = ""
    user.save(update_fields=["anti_phishing_code"])
    logger.info("anti-phishing code removed for user %s", user.pk)
    return user
