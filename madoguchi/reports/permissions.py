"""Who sees which reports: administrators every group's, team leads the groups they lead.

Anyone else signed in gets the same 404 as a page that does not exist. Staff passed TOTP
already: `madoguchi.accounts.middleware.StaffTwoFactorMiddleware` guards every staff page.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from madoguchi.accounts.permissions import is_admin
from madoguchi.tickets.models import SupportGroup
from madoguchi.tickets.permissions import is_agent

NOT_FOUND = "No such report."


def sees_every_group(user: Any) -> bool:
    return is_admin(user)


def led_groups(user: Any) -> list[SupportGroup]:
    """The groups whose reports `user` may read: all for an administrator; for an agent, the
    groups they lead; raises Http404 for anyone else (a lead without groups included)."""
    if sees_every_group(user):
        return list(SupportGroup.objects.all())
    if not is_agent(user):
        raise Http404(NOT_FOUND)
    groups = list(SupportGroup.objects.filter(leads=user))
    if not groups:
        raise Http404(NOT_FOUND)
    return groups
