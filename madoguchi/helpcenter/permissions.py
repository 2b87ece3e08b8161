"""One door to each Help Center object: fetch and authorize, with the same 404 for both."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from madoguchi.accounts.permissions import is_editor
from madoguchi.helpcenter.models import Article, Guide, Status


def can_edit(user: Any) -> bool:
    """Editors and administrators write the Help Center and see its drafts."""
    return is_editor(user)


def can_see_drafts(user: Any) -> bool:
    return is_editor(user)


def visible_articles(user: Any) -> QuerySet[Article]:
    articles = Article.objects.all()
    return articles if can_see_drafts(user) else articles.filter(status=Status.PUBLISHED)


def visible_guides(user: Any) -> QuerySet[Guide]:
    guides = Guide.objects.all()
    return guides if can_see_drafts(user) else guides.filter(status=Status.PUBLISHED)


def access_article(user: Any, locale: str, slug: str) -> Article:
    """The article to show `user`; a draft is as missing as a slug that never existed."""
    article = (
        visible_articles(user)
        .select_related("category", "section", "translation")
        .filter(locale=locale, slug=slug)
        .first()
    )
    if article is None:
        raise Http404("No such article.")
    return article


def access_article_by_id(user: Any, article_id: int) -> Article:
    """For editor pages: only editors get past this door."""
    if not can_edit(user):
        raise Http404("No such article.")
    article = Article.objects.select_related("category").filter(pk=article_id).first()
    if article is None:
        raise Http404("No such article.")
    return article


def access_guide(user: Any, locale: str, slug: str) -> Guide:
    guide = (
        visible_guides(user)
        .select_related("category", "translation", "start_step")
        .filter(locale=locale, slug=slug)
        .first()
    )
    if guide is None:
        raise Http404("No such guide.")
    return guide


def require_editor(user: Any) -> None:
    """Editor pages answer 404 to everyone else, so their existence is not revealed."""
    if not can_edit(user):
        raise Http404("No such page.")
