"""API token services: create (the secret shown once), revoke, authenticate a presented token.

A token reads `mdg_<public_id>_<secret>`: `public_id` is 8 characters [a-z0-9] that find the
row, `secret` 40 characters [A-Za-z0-9] (about 238 random bits). Only SHA-256(secret) is
stored: the secret is random and long, so a slow password hash would add nothing.
Nothing here logs a secret or a presented token; logs name tokens by `public_id`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import string
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from madoguchi.accounts.models import User
from madoguchi.api.errors import ApiError, ApiErrorCode
from madoguchi.api.models import ApiToken, TokenState
from madoguchi.api.scopes import Scope

logger = logging.getLogger(__name__)

PREFIX = "mdg_"
ID_ALPHABET = string.ascii_lowercase + string.digits
ID_LENGTH = 8
SECRET_ALPHABET = string.ascii_letters + string.digits
SECRET_LENGTH = 40
TOKEN_PATTERN = re.compile(r"mdg_([a-z0-9]{8})_([A-Za-z0-9]{40})")
TOKEN_LENGTH = len(PREFIX) + ID_LENGTH + 1 + SECRET_LENGTH

NAME_LIMIT = 100
GROUP_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
GROUP_LIMIT = 50
MAX_EXPIRY_DAYS = 3650
# last_used_at is for people ("used 3 minutes ago"), not an audit log: one write a minute
# at most, instead of one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """A new token and its only plaintext copy, to show once and then forget."""

    token: ApiToken
    plaintext: str = field(repr=False)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def _random(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


_SCOPE_VALUES = frozenset(scope.value for scope in Scope)


def _valid_scopes() -> str:
    return ", ".join(Scope)


def _echo(piece: str) -> str:
    # Input quoted back in a message is cut short, so the message stays readable.
    return piece if len(piece) <= 40 else piece[:39] + "…"


def _pieces(value: str | Iterable[str]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else list(value)
    return [piece.strip() for piece in items if piece.strip()]


def parse_scopes(value: str | Iterable[str]) -> list[str]:
    """`tickets:read,tickets:write` (or a list) → the scopes, in Scope order, without repeats."""
    chosen = set()
    for piece in _pieces(value):
        if piece not in _SCOPE_VALUES:
            raise ApiError(ApiErrorCode.UNKNOWN_SCOPE, scope=_echo(piece), valid=_valid_scopes())
        chosen.add(Scope(piece))
    if not chosen:
        raise ApiError(ApiErrorCode.SCOPES_REQUIRED, valid=_valid_scopes())
    return [scope.value for scope in Scope if scope in chosen]


def parse_groups(value: str | Iterable[str]) -> list[str]:
    """`security,general` (or a list) → sorted support group slugs; empty means every group."""
    groups = set()
    for piece in _pieces(value):
        if len(piece) > GROUP_LIMIT or not GROUP_PATTERN.fullmatch(piece):
            raise ApiError(ApiErrorCode.INVALID_GROUP, group=_echo(piece))
        groups.add(piece)
    return sorted(groups)


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > NAME_LIMIT:
        raise ApiError(ApiErrorCode.INVALID_NAME)
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise ApiError(ApiErrorCode.INVALID_NAME)
    return name


def create_api_token(
    *,
    name: str,
    scopes: str | Iterable[str],
    groups: str | Iterable[str] = (),
    expires_in_days: int | None = None,
    created_by: User | None = None,
) -> IssuedToken:
    """Create a token; the returned plaintext is the only copy there will ever be.

    Raises ApiError (INVALID_NAME, UNKNOWN_SCOPE, SCOPES_REQUIRED, INVALID_GROUP,
    INVALID_EXPIRY) before anything is written.
    """
    clean_name = _clean_name(name)
    scope_list = parse_scopes(scopes)
    group_list = parse_groups(groups)
    now = timezone.now()
    expires_at = None
    if expires_in_days is not None:
        if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
            raise ApiError(ApiErrorCode.INVALID_EXPIRY, limit=MAX_EXPIRY_DAYS)
        expires_at = now + timedelta(days=expires_in_days)
    secret = _random(SECRET_ALPHABET, SECRET_LENGTH)
    with transaction.atomic():
        public_id = _random(ID_ALPHABET, ID_LENGTH)
        # 36**8 ids: a clash is rare, but cheap to rule out.
        while ApiToken.objects.filter(public_id=public_id).exists():
            public_id = _random(ID_ALPHABET, ID_LENGTH)
        token = ApiToken.objects.create(
            name=clean_name,
            public_id=public_id,
            secret_hash=hash_secret(secret),
            scopes=scope_list,
            groups=group_list,
            created_at=now,
            created_by=created_by,
            expires_at=expires_at,
        )
    logger.info("API token %s created for %r", token.public_id, token.name)
    return IssuedToken(token=token, plaintext=f"{PREFIX}{public_id}_{secret}")


def revoke_api_token(*, token: ApiToken, by: User | None = None) -> bool:
    """Revoke `token` for good; False when it already was revoked (nothing changes then)."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            token.revoked_at, token.revoked_by = locked.revoked_at, locked.revoked_by
            return False
        locked.revoked_at = timezone.now()
        locked.revoked_by = by
        locked.save(update_fields=["revoked_at", "revoked_by"])
    token.revoked_at, token.revoked_by = locked.revoked_at, locked.revoked_by
    logger.info("API token %s (%r) revoked", token.public_id, token.name)
    return True


def find_api_token(reference: str) -> ApiToken | None:
    """The token named by its ID (`k3x9a2bq`) or by a whole token (`mdg_k3x9a2bq_…`)."""
    reference = reference.strip()
    whole = re.fullmatch(r"mdg_([a-z0-9]{8})_.*", reference, flags=re.DOTALL)
    public_id = whole.group(1) if whole else reference
    if not re.fullmatch(r"[a-z0-9]{8}", public_id):
        return None
    return ApiToken.objects.filter(public_id=public_id).first()


def authenticate_api_token(*, presented: str) -> ApiToken:
    """The active token whose plaintext is `presented`, else ApiError.

    TOKEN_INVALID for anything that is not a token of ours, including a wrong secret;
    TOKEN_REVOKED and TOKEN_EXPIRED only after the secret matched, so they tell nothing to
    someone who does not hold the token. Notes the use in last_used_at (once a minute).
    """
    match = TOKEN_PATTERN.fullmatch(presented) if len(presented) == TOKEN_LENGTH else None
    if match is None:
        raise ApiError(ApiErrorCode.TOKEN_INVALID)
    public_id, secret = match.groups()
    token = ApiToken.objects.filter(public_id=public_id).first()
    # Compared in constant time, and even for an unknown ID, so that neither how much of a
    # hash matched nor whether an ID exists shows in the response time.
    expected = token.secret_hash if token else "0" * 64
    if not hmac.compare_digest(expected, hash_secret(secret)) or token is None:
        raise ApiError(ApiErrorCode.TOKEN_INVALID)
    now = timezone.now()
    state = token.state(now)
    if state == TokenState.REVOKED:
        raise ApiError(ApiErrorCode.TOKEN_REVOKED)
    if state == TokenState.EXPIRED:
        raise ApiError(ApiErrorCode.TOKEN_EXPIRED)
    _note_use(token, now)
    return token


def _note_use(token: ApiToken, now: datetime) -> None:
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    # A conditional UPDATE rather than save(): requests of one token arriving together on
    # several workers write once between them, and never move the time backwards.
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
    ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
