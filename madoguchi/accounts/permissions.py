"""Who may do what, one condition per line. Every check takes any user, anonymous included."""

from __future__ import annotations

from typing import Any

from madoguchi.accounts.models import STAFF_ROLES, Role


def is_staff_member(user: Any) -> bool:
    """Agents, moderators, editors and administrators: anyone who works behind the counter."""
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and getattr(user, "role", None) in STAFF_ROLES
    )


def is_editor(user: Any) -> bool:
    """Editors and administrators write the Help Center."""
    return is_staff_member(user) and user.role in (Role.EDITOR, Role.ADMIN)


def is_admin(user: Any) -> bool:
    return is_staff_member(user) and user.role == Role.ADMIN
