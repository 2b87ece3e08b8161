"""Who reaches the agent page: agents and administrators; staff also passed TOTP.

The second factor is enforced for every staff page by
`madoguchi.accounts.middleware.StaffTwoFactorMiddleware`. A signed-out visitor is sent to the
login; anyone else signed in (customers, editors, moderators) gets the same 404 as a ticket
that does not exist, so the page tells them nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from madoguchi.accounts.permissions import is_admin
from madoguchi.tickets.models import SupportGroup
from madoguchi.tickets.permissions import NOT_FOUND, is_agent

View = Callable[..., HttpResponseBase]


def agent_only(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_agent(request.user):
            raise Http404(NOT_FOUND)
        return view(request, *args, **kwargs)

    return wrapper


def groups_of(user: Any) -> QuerySet[SupportGroup]:
    """The groups whose tickets `user` works: an administrator's are all of them."""
    groups = SupportGroup.objects.all()
    return groups if is_admin(user) else groups.filter(members=user)
