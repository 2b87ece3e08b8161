"""Pages for editors only: the dashboard, Markdown preview, screenshot upload, revision diffs.

Everyone else gets the same 404 as for a page that does not exist.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from madoguchi.helpcenter import selectors
from madoguchi.helpcenter.errors import HelpCenterError
from madoguchi.helpcenter.forms import ImageUploadForm, PreviewForm
from madoguchi.helpcenter.models import ArticleRevision
from madoguchi.helpcenter.permissions import access_article_by_id, require_editor
from madoguchi.helpcenter.services import mark_reviewed, markdown_snippet, store_image
from madoguchi.safety.markdown import render_markdown
from madoguchi.search.selectors import zero_result_queries

MAX_STALE_DAYS = 3650


def _days(raw: str | None) -> int:
    try:
        days = int(raw or "")
    except ValueError:
        return int(settings.MADOGUCHI_STALE_AFTER_DAYS)
    return min(max(days, 0), MAX_STALE_DAYS)


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    require_editor(request.user)
    days = _days(request.GET.get("days"))
    return render(
        request,
        "helpcenter/editor/dashboard.html",
        {
            "days": days,
            "stale": selectors.stale_articles(days=days),
            "zero_result_queries": zero_result_queries(days=30, limit=50),
            "feedback": selectors.feedback_summary(),
        },
    )


@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """The sanitized HTML of a Markdown body, exactly as the article page will show it."""
    require_editor(request.user)
    form = PreviewForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    return HttpResponse(render_markdown(form.cleaned_data["body"]), content_type="text/html")


@require_POST
def upload_image(request: HttpRequest) -> HttpResponse:
    require_editor(request.user)
    form = ImageUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [str(error) for error in form.errors.get("image", [])]
        return JsonResponse({"error": " ".join(errors)}, status=400)
    upload = form.cleaned_data["image"]
    try:
        image = store_image(upload=upload, uploader=request.user)
    except HelpCenterError as error:
        return JsonResponse({"error": error.message}, status=400)
    return JsonResponse(
        {
            "url": image.file.url,
            "markdown": markdown_snippet(image, original_name=upload.name or ""),
        },
        status=201,
    )


@require_POST
def review(request: HttpRequest, article_id: int) -> HttpResponse:
    article = access_article_by_id(request.user, article_id)
    mark_reviewed(article=article, reviewer=request.user)
    return HttpResponseRedirect(reverse("helpcenter:editor-dashboard"))


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: str  # "added", "removed", "context", "hunk"
    text: str


def diff_lines(old: str, new: str) -> list[DiffLine]:
    """A unified diff as lines for the template to escape; never HTML built by hand."""
    lines: list[DiffLine] = []
    for raw in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=3):
        if raw.startswith(("---", "+++")):
            continue
        if raw.startswith("@@"):
            lines.append(DiffLine("hunk", raw))
        elif raw.startswith("+"):
            lines.append(DiffLine("added", raw[1:]))
        elif raw.startswith("-"):
            lines.append(DiffLine("removed", raw[1:]))
        else:
            lines.append(DiffLine("context", raw[1:]))
    return lines


@require_GET
def revisions(request: HttpRequest, article_id: int) -> HttpResponse:
    """Every revision of an article; `?show=<id>` compares it with the one before it or,
    with `&against=current`, with the article as it is now."""
    article = access_article_by_id(request.user, article_id)
    history = list(selectors.revisions(article=article))
    shown: ArticleRevision | None = None
    base: ArticleRevision | None = None
    against_current = request.GET.get("against") == "current"
    try:
        shown_id = int(request.GET.get("show", ""))
    except ValueError:
        shown_id = history[0].pk if history else 0
    for index, revision in enumerate(history):
        if revision.pk == shown_id:
            shown = revision
            base = history[index + 1] if index + 1 < len(history) else None
    title_diff: list[DiffLine] = []
    body_diff: list[DiffLine] = []
    if shown is not None:
        if against_current:
            title_diff = diff_lines(shown.title, article.title)
            body_diff = diff_lines(shown.body, article.body)
        else:
            title_diff = diff_lines(base.title if base else "", shown.title)
            body_diff = diff_lines(base.body if base else "", shown.body)
    return render(
        request,
        "helpcenter/editor/revisions.html",
        {
            "article": article,
            "history": history,
            "shown": shown,
            "base": base,
            "against_current": against_current,
            "title_diff": title_diff,
            "body_diff": body_diff,
        },
    )
