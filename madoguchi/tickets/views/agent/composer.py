"""The reply box's tools: canned replies and Help Center links.

Without JavaScript, the tools are buttons of the reply form that post the draft here
(`compose`): the page comes back with the canned reply or the article's link added to the
draft, or with the articles found, and nothing is stored. With JavaScript (console.js) the
same buttons insert at the cursor, and the article search asks `article_search` for JSON.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from madoguchi.safety.rate_limits import configured_rate, hit
from madoguchi.tickets.articles import ArticleLink, article_by_ref, find_articles
from madoguchi.tickets.canned import filled_reply, wants_english
from madoguchi.tickets.errors import TicketError, TicketErrorCode
from madoguchi.tickets.forms import STATUSES_AFTER_REPLY, ReplyForm
from madoguchi.tickets.models import Status, Ticket
from madoguchi.tickets.permissions import access_ticket, can_reply_as_agent
from madoguchi.tickets.services.conversation import MAX_BODY_CHARS
from madoguchi.tickets.views.agent.access import agent_only
from madoguchi.tickets.views.agent.actions import closed_message
from madoguchi.tickets.views.agent.ticket import render_ticket

# Article lookups per agent (not per address: a whole office shares one).
SEARCH_RATE_SETTING = "MADOGUCHI_AGENT_ARTICLE_SEARCH_RATE"
SEARCH_RATE_DEFAULT = "120/m"

FIND = "find"
CANNED = "canned"


def _limited(request: HttpRequest) -> int | None:
    rate = configured_rate(SEARCH_RATE_SETTING, SEARCH_RATE_DEFAULT)
    return hit(scope="agent-article-search", ident=str(request.user.pk), rate=rate)


def too_many_searches() -> str:
    return _("Too many article searches. Please wait a moment and try again.")


def appended(draft: str, text: str) -> str:
    """`text` after the draft, a blank line between them."""
    draft = draft.rstrip()
    return f"{draft}\n\n{text}" if draft else text


def _draft_form(body: str, status: str) -> ReplyForm:
    if status not in {choice.value for choice in STATUSES_AFTER_REPLY}:
        status = Status.PENDING
    return ReplyForm(initial={"body": body[:MAX_BODY_CHARS], "status": status})


@require_POST
@agent_only
def compose(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = access_ticket(request.user, ticket_id)
    body = request.POST.get("body", "")
    status = request.POST.get("status", "")
    if not can_reply_as_agent(request.user, ticket):
        # The page says why (closed, or reserved for the assignee) and keeps the draft.
        refused = ReplyForm(request.POST)
        refused.is_valid()
        refused.add_error(
            None,
            closed_message()
            if ticket.status == Status.CLOSED
            else TicketError(TicketErrorCode.ASSIGNEE_ONLY).message,
        )
        return render_ticket(request, ticket, status=403, reply_form=refused)
    extra: dict[str, Any] = {}
    code = 200
    if request.POST.get("article"):
        link = article_by_ref(request.POST["article"])
        if link is None:
            extra["composer_error"] = _("This article is no longer in the Help Center.")
            code = 400
        else:
            body = appended(body, link.text)
    elif request.POST.get("composer") == CANNED:
        reply = filled_reply(ticket, request.POST.get("canned"), agent=request.user)
        if reply is None:
            extra["composer_error"] = _("Choose one of the canned replies offered here.")
            code = 400
        else:
            body = appended(body, reply.text)
    elif request.POST.get("composer") == FIND:
        query = request.POST.get("article_query", "")[:200]
        extra["article_query"] = query
        wait = _limited(request)
        if wait is not None:
            extra["composer_error"] = too_many_searches()
            response = render_ticket(
                request, ticket, status=429, reply_form=_draft_form(body, status), **extra
            )
            response["Retry-After"] = str(wait)
            return response
        extra["article_results"] = find_articles(query, language=_language(ticket))
    return render_ticket(
        request, ticket, status=code, reply_form=_draft_form(body, status), **extra
    )


def _language(ticket: Ticket) -> str:
    return "en" if wants_english(ticket) else "ja"


def _json(link: ArticleLink) -> dict[str, str]:
    return {
        "ref": link.ref,
        "title": link.title,
        "url": link.url,
        "locale": link.locale,
        "text": link.text,
    }


@require_GET
@agent_only
def article_search(request: HttpRequest, ticket_id: int) -> JsonResponse:
    """Articles and guides for the words typed, in the ticket's language first."""
    ticket = access_ticket(request.user, ticket_id)
    wait = _limited(request)
    if wait is not None:
        response = JsonResponse({"articles": [], "message": too_many_searches()}, status=429)
        response["Retry-After"] = str(wait)
        return response
    links = find_articles(request.GET.get("q", ""), language=_language(ticket))
    return JsonResponse({"articles": [_json(link) for link in links]})
