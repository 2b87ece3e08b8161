"""The one-click unsubscribe link of notices (RFC 8058).

A mail program posts "List-Unsubscribe=One-Click" to the link without cookies, so the POST is
exempt from CSRF: the signed token is what proves the address. Opening the link in a browser
(GET) only shows a button, since link scanners open every link they see.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from madoguchi.mail.send.unsubscribe import email_of
from madoguchi.mail.send.unsubscribe import unsubscribe as record_unsubscribe


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    email = email_of(token)
    if email is None:
        return render(request, "mail/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        record_unsubscribe(email)
        return render(request, "mail/unsubscribed.html")
    return render(request, "mail/unsubscribe.html", {"token": token})
