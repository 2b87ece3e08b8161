"""`{% language_links as links %}`: this page in every language, for the switcher and hreflang."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation

register = template.Library()


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # the language's own name (autonym): 日本語, English
    url: str
    current: bool


def url_in_language(path: str, code: str) -> str:
    """The same page in language `code`: translated through the URLconf, else by prefix."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    translated = translate_url(path, code)
    if translated != path or code == current:
        return translated
    # A path the URLconf cannot resolve (a 404 page) still keeps its place.
    prefix = f"/{current}/"
    if path.startswith(prefix):
        return f"/{code}/{path[len(prefix) :]}"
    return f"/{code}/"


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[LanguageLink]:
    """One link per language. A view may pass `alternate_url` (the page in the other
    language, such as an article's translation) or `alternate_urls` ({code: url});
    `alternate_url = None` on a page without a translation sends the other language to
    its home page."""
    request = context.get("request")
    path = request.get_full_path() if request is not None else "/"
    current = translation.get_language() or settings.LANGUAGE_CODE
    explicit: dict[str, Any] = dict(context.get("alternate_urls") or {})
    has_single = "alternate_url" in context
    single = context.get("alternate_url")
    links = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            url = path
        elif code in explicit:
            url = explicit[code] or f"/{code}/"
        elif has_single:
            url = single or f"/{code}/"
        else:
            url = url_in_language(path, code)
        info = translation.get_language_info(code)
        links.append(
            LanguageLink(code=code, name=info["name_local"], url=url, current=code == current)
        )
    return links
