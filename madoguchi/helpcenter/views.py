"""Help Center pages for customers: thin views that parse, access, then read or write."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from madoguchi.helpcenter import selectors
from madoguchi.helpcenter.documents import HELP_CENTER_TYPES, article_url, guide_url
from madoguchi.helpcenter.forms import FeedbackForm, SearchForm
from madoguchi.helpcenter.models import (
    Article,
    Category,
    Guide,
    Locale,
    ProblemType,
    StepKind,
    other_locale,
)
from madoguchi.helpcenter.permissions import access_article, access_guide, can_see_drafts
from madoguchi.helpcenter.services import record_feedback
from madoguchi.safety.markdown import render_markdown
from madoguchi.search.errors import QueryError
from madoguchi.search.query import search

RESULTS_PER_PAGE = 10
_VOTED = "helpcenter_voted"  # session: {article id: "yes" | "no"}


def _locale() -> str:
    language = get_language() or Locale.JA
    return language if language in Locale.values else Locale.JA


def _contact_url(locale: str, problem_type: str, guide: Guide | None = None) -> str:
    query = {"type": problem_type}
    if guide is not None:
        query["guide"] = guide.slug
    return f"/{locale}/contact/?{urlencode(query)}"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    locale = _locale()
    return render(
        request,
        "helpcenter/home.html",
        {
            "categories": selectors.categories_with_counts(locale=locale),
            "common_guides": selectors.common_problem_guides(locale=locale),
        },
    )


@require_GET
def category(request: HttpRequest, slug: str) -> HttpResponse:
    locale = _locale()
    found = get_object_or_404(Category.objects.prefetch_related("sections"), slug=slug)
    return render(
        request,
        "helpcenter/category.html",
        {
            "category": found,
            "listings": selectors.category_listing(
                user=request.user, category=found, locale=locale
            ),
            "guides": selectors.category_guides(user=request.user, category=found, locale=locale),
        },
    )


def _translation_url(request: HttpRequest, article: Article) -> str:
    """The other-language version when readers may see it, else that language's category."""
    other = article.translation
    if other is not None and (other.is_published or can_see_drafts(request.user)):
        return article_url(locale=other.locale, slug=other.slug)
    locale = other_locale(article.locale)
    return f"/{locale}/categories/{article.category.slug}/"


def _article_page(
    request: HttpRequest, article: Article, form: FeedbackForm, status: int = 200
) -> HttpResponse:
    voted = request.session.get(_VOTED, {}).get(str(article.pk))
    other = article.translation
    readable_other = other is not None and (other.is_published or can_see_drafts(request.user))
    return render(
        request,
        "helpcenter/article.html",
        {
            "article": article,
            "body_html": render_markdown(article.body),
            "translation": other if readable_other else None,
            "alternate_url": _translation_url(request, article),
            "related": selectors.related_articles(article=article),
            "guides": selectors.published_guides(locale=article.locale).filter(
                category_id=article.category_id
            )[:3],
            "feedback_form": form,
            "voted": voted,
            "can_edit": can_see_drafts(request.user),
        },
        status=status,
    )


@require_GET
def article(request: HttpRequest, slug: str) -> HttpResponse:
    found = access_article(request.user, _locale(), slug)
    return _article_page(request, found, FeedbackForm())


@require_POST
def article_feedback(request: HttpRequest, slug: str) -> HttpResponse:
    found = access_article(request.user, _locale(), slug)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _article_page(request, found, form, status=400)
    if not request.session.session_key:
        request.session.save()  # a first-time visitor gets a session to vote from
    helpful = form.cleaned_data["helpful"]
    record_feedback(
        article=found,
        session_key=request.session.session_key or "",
        helpful=helpful == "yes",
        comment=form.cleaned_data["comment"],
    )
    voted = dict(request.session.get(_VOTED, {}))
    voted[str(found.pk)] = helpful
    request.session[_VOTED] = voted
    return HttpResponseRedirect(article_url(locale=found.locale, slug=found.slug) + "#feedback")


def _guide_alternate(request: HttpRequest, guide: Guide) -> str:
    other = guide.translation
    if other is not None and (other.is_published or can_see_drafts(request.user)):
        return guide_url(locale=other.locale, slug=other.slug)
    return f"/{other_locale(guide.locale)}/"


def _guide_page(request: HttpRequest, guide: Guide, key: str | None) -> HttpResponse:
    steps = selectors.guide_steps(guide)
    step = steps.get(key) if key else (guide.start_step if guide.start_step_id else None)
    if step is None:
        return render(
            request,
            "helpcenter/guide_missing_step.html",
            {"guide": guide, "alternate_url": _guide_alternate(request, guide)},
            status=404,
        )
    step = steps[step.key]
    return render(
        request,
        "helpcenter/guide_step.html",
        {
            "guide": guide,
            "step": step,
            "body_html": render_markdown(step.body),
            "is_start": step.pk == guide.start_step_id,
            "is_question": step.kind == StepKind.QUESTION,
            "is_fix": step.kind == StepKind.FIX,
            "is_contact": step.kind == StepKind.CONTACT,
            "contact_url": _contact_url(guide.locale, guide.problem_type, guide),
            "alternate_url": _guide_alternate(request, guide),
        },
    )


@require_GET
def guide(request: HttpRequest, slug: str) -> HttpResponse:
    return _guide_page(request, access_guide(request.user, _locale(), slug), None)


@require_GET
def guide_step(request: HttpRequest, slug: str, key: str) -> HttpResponse:
    return _guide_page(request, access_guide(request.user, _locale(), slug), key)


@require_GET
def guide_solved(request: HttpRequest, slug: str) -> HttpResponse:
    found = access_guide(request.user, _locale(), slug)
    return render(
        request,
        "helpcenter/guide_solved.html",
        {"guide": found, "alternate_url": _guide_alternate(request, found)},
    )


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    locale = _locale()
    form = SearchForm(request.GET)
    form.is_valid()  # fields that fail validation are simply left out below
    data: dict[str, Any] = getattr(form, "cleaned_data", {})
    query = str(data.get("q") or "")
    category_slug = data.get("category") or None
    page = data.get("page") or 1
    context: dict[str, Any] = {
        "query": query,
        "category": category_slug,
        "results": None,
        "error": None,
        "common_guides": [],
    }
    status = 200
    if query:
        try:
            results = search(
                query,
                locale=locale,
                limit=RESULTS_PER_PAGE,
                offset=(page - 1) * RESULTS_PER_PAGE,
                category=category_slug,
                types=HELP_CENTER_TYPES,
            )
        except QueryError as error:
            context["error"] = error.message
            status = 400
        else:
            context.update(_results_context(results, query, category_slug, page, locale))
    if not context["results"] or not context["results"].results:
        context["common_guides"] = selectors.common_problem_guides(locale=locale)
    return render(request, "helpcenter/search.html", context, status=status)


def _results_context(
    results: Any, query: str, category_slug: str | None, page: int, locale: str
) -> dict[str, Any]:
    names = {c.slug: c.name_for(locale) for c in Category.objects.filter(slug__in=results.facets)}
    base = reverse("helpcenter:search")
    facets = [
        {
            "slug": slug,
            "name": names.get(slug, slug),
            "count": count,
            "url": f"{base}?{urlencode({'q': query, 'category': slug})}",
            "current": slug == category_slug,
        }
        for slug, count in sorted(results.facets.items(), key=lambda item: -item[1])
    ]
    last_page = max(1, -(-results.total // RESULTS_PER_PAGE))
    page_query = {"q": query, **({"category": category_slug} if category_slug else {})}
    return {
        "results": results,
        "facets": facets,
        "all_categories_url": f"{base}?{urlencode({'q': query})}",
        "suggestion_url": (
            f"{base}?{urlencode({'q': results.suggestion})}" if results.suggestion else None
        ),
        "page": page,
        "previous_url": f"{base}?{urlencode({**page_query, 'page': page - 1})}"
        if page > 1
        else None,
        "next_url": f"{base}?{urlencode({**page_query, 'page': page + 1})}"
        if page < last_page
        else None,
        "locale_names": {code: str(name) for code, name in Locale.choices},
    }


@require_GET
def contact(request: HttpRequest) -> HttpResponse:
    """Where "contact support" leads: a last self-service hint, then the support form."""
    locale = _locale()
    raw_type = request.GET.get("type", "")
    problem_type = raw_type if raw_type in ProblemType.values else ""
    guide_slug = request.GET.get("guide", "")[:200]
    from_guide = None
    if guide_slug:
        from_guide = selectors.published_guides(locale=locale).filter(slug=guide_slug).first()
    suggested = (
        selectors.published_guides(locale=locale).filter(problem_type=problem_type).first()
        if problem_type and from_guide is None
        else None
    )
    # The form (madoguchi.support) knows the problem types an admin configured; the type
    # and the guide travel as ?type= and ?guide=, which it reads.
    form_query = {
        key: value
        for key, value in (
            ("type", problem_type),
            ("guide", from_guide.slug if from_guide else ""),
        )
        if value
    }
    form_url = reverse("support:new") + (f"?{urlencode(form_query)}" if form_query else "")
    return render(
        request,
        "helpcenter/contact.html",
        {
            "problem_type": problem_type,
            "problem_label": ProblemType(problem_type).label if problem_type else "",
            "from_guide": from_guide,
            "suggested_guide": suggested,
            "form_url": form_url,
            "unknown_type": bool(raw_type) and not problem_type,
        },
    )
