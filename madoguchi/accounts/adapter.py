"""allauth hooks: where login leads, how account mail is signed, what a signup stores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.http import HttpRequest
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from madoguchi.accounts import selectors, services
from madoguchi.accounts.models import Role


@dataclass(frozen=True)
class MailSite:
    name: str
    domain: str


def _home_in_current_language(url: str) -> str:
    # "/" would pick the language again from the browser; someone who just logged in on
    # the Japanese pages stays on them.
    if url == "/":
        return f"/{translation.get_language() or settings.LANGUAGE_CODE}/"
    return url


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        return _home_in_current_language(super().get_login_redirect_url(request))

    def get_logout_redirect_url(self, request: HttpRequest) -> str:
        return _home_in_current_language(super().get_logout_redirect_url(request))

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # allauth answers a login beyond the failed-login limit with a form error; a 429
        # page (in the visitor's language) tells people and monitoring the same thing
        # plainly, and stops the form from being replayed.
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            if error.code == "too_many_login_attempts":
                raise ImmediateHttpResponse(respond_429(request)) from error
            raise

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # allauth names the site after its domain; mail should carry the exchange's name,
        # which customers know, beside the domain they can check.
        request = allauth_context.request
        domain = get_current_site(request).domain if request is not None else ""
        mail_context = {**context, "current_site": MailSite(settings.MADOGUCHI_SITE_NAME, domain)}
        super().send_mail(template_prefix, email, mail_context)

    def render_mail(
        self,
        template_prefix: str,
        email: str,
        context: dict[str, Any],
        headers: dict[str, Any] | None = None,
    ) -> EmailMessage:
        """allauth's mails (address confirmation, password reset) carry the account's
        anti-phishing code at the top, like every other mail the product sends."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        code = selectors.anti_phishing_code_for(email)
        if not code:
            return message
        line = _("Your anti-phishing code: %(code)s") % {"code": code}
        message.body = f"{line}\n\n{message.body}"
        if isinstance(message, EmailMultiAlternatives):
            message.alternatives = [
                (format_html("<p><strong>{}</strong></p>", line) + str(content), mimetype)
                if mimetype == "text/html"
                else (content, mimetype)
                for content, mimetype in message.alternatives
            ]
        return message

    def format_email_subject(self, subject: str) -> str:
        return f"[{settings.MADOGUCHI_SITE_NAME}] {subject}"

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        # `username` is unique in the table but nobody types it: it mirrors the email.
        user.username = user.email
        language = translation.get_language() or "ja"
        user.preferred_language = language if language in services.LANGUAGES else "ja"
        if commit:
            user.save()
            services.set_role(user=user, role=Role.CUSTOMER)
        return user
