"""Values every page template needs: the site's name and what the visitor may see."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from madoguchi.accounts.permissions import is_editor, is_staff_member


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    return {
        "site_name": settings.MADOGUCHI_SITE_NAME,
        "user_is_staff_member": is_staff_member(user),
        "user_is_editor": is_editor(user),
    }
