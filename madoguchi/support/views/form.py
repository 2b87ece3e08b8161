"""The support form: choose the problem, describe it, send it through intake, see what happens next.

Thin views: the form checks, `madoguchi.intake.receive` files the ticket, a signed receipt in
the redirect tells the "sent" page which request it was (`madoguchi.support.receipts`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from madoguchi import intake
from madoguchi.helpcenter.selectors import published_guides
from madoguchi.intake.inbound import InboundMessage
from madoguchi.safety.rate_limits import limit_address
from madoguchi.support import held_files, limits
from madoguchi.support.deflection import (
    Suggestion,
    is_help_center_path,
    record_deflection,
    suggest_articles,
    suggestion_paths,
)
from madoguchi.support.errors import FormErrorCode, message
from madoguchi.support.forms import SupportForm, coin_symbols, network_rules
from madoguchi.support.receipts import Receipt, read_receipt, write_receipt
from madoguchi.tickets.details import GUIDE
from madoguchi.tickets.models import AuthorKind, ProblemField, ProblemType, Ticket
from madoguchi.tickets.permissions import is_customer, is_requester
from madoguchi.tickets.selectors import (
    active_problem_types,
    expected_first_response,
    problem_type_by_slug,
)
from madoguchi.tickets.uploads import max_bytes, max_per_message

PASSED_ON = ("subject", "guide")  # query parameters an old ?type= link may carry along


def _language() -> str:
    language = (get_language() or "ja")[:2]
    return language if language in ("ja", "en") else "ja"


def _active_type(slug: str) -> ProblemType | None:
    problem_type = problem_type_by_slug(slug[:32])
    return problem_type if problem_type is not None and problem_type.is_active else None


def _rate_limited(request: HttpRequest, wait: int) -> HttpResponse:
    response = render(
        request,
        "support/form_rate_limited.html",
        {"minutes": max(1, (wait + 59) // 60)},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


@require_GET
def choose_type(request: HttpRequest) -> HttpResponse:
    """The active problem types; an old link's ?type= goes straight to that type's form."""
    raw_type = request.GET.get("type", "")
    if raw_type:
        problem_type = _active_type(raw_type)
        if problem_type is not None:
            url = reverse("support:new_type", kwargs={"slug": problem_type.slug})
            passed = {key: request.GET[key][:200] for key in PASSED_ON if request.GET.get(key)}
            return redirect(f"{url}?{urlencode(passed)}" if passed else url)
    passed = {key: request.GET[key][:200] for key in PASSED_ON if request.GET.get(key)}
    types = [
        {
            "type": problem_type,
            "url": reverse("support:new_type", kwargs={"slug": problem_type.slug})
            + (f"?{urlencode(passed)}" if passed else ""),
            "expected": expected_first_response(problem_type),
        }
        for problem_type in active_problem_types()
    ]
    return render(
        request,
        "support/form_types.html",
        {"types": types, "unknown_type": bool(raw_type)},
    )


def _account_email(request: HttpRequest) -> str:
    return str(getattr(request.user, "email", "")) if is_customer(request.user) else ""


def _known_user_id(request: HttpRequest) -> str:
    """The user ID the customer gave on their last request, to fill in again."""
    if not is_customer(request.user):
        return ""
    value = (
        Ticket.objects.filter(customer_id=request.user.pk)
        .exclude(external_user_id="")
        .order_by("-created_at")
        .values_list("external_user_id", flat=True)
        .first()
    )
    return value or ""


def _guide(slug: str) -> Any:
    if not slug:
        return None
    return published_guides(locale=_language()).filter(slug=slug[:200]).first()


def _page(
    request: HttpRequest,
    form: SupportForm,
    *,
    suggestions: list[Suggestion],
    shown: tuple[str, ...],
    opened: tuple[str, ...],
    held: list[held_files.HeldFile],
    files_not_kept: bool = False,
) -> HttpResponse:
    problem_type = form.problem_type
    guide_slug = str(form["guide"].value() or "")
    return render(
        request,
        "support/form.html",
        {
            "form": form,
            "problem_type": problem_type,
            "expected": expected_first_response(problem_type),
            "signed_in": bool(_account_email(request)),
            "suggestions": suggestions,
            "shown": shown,
            "opened": opened,
            "held": held,
            "held_token": held_files.token_for(held),
            "files_not_kept": files_not_kept,
            "from_guide": _guide(guide_slug),
            "network_rules": network_rules(),
            "coin_symbols": coin_symbols(),
            "max_file_mb": f"{max_bytes() / (1024 * 1024):.1f}".removesuffix(".0"),
            "max_files": max_per_message(),
        },
    )


@require_http_methods(["GET", "POST"])
def new_ticket(request: HttpRequest, slug: str) -> HttpResponseBase:
    problem_type = _active_type(slug)
    if problem_type is None:
        return redirect(f"{reverse('support:new')}?{urlencode({'type': slug[:32]})}")
    rows = list(problem_type.fields.all())
    if request.method == "GET":
        return _blank_form(request, problem_type, rows)
    return _received_form(request, problem_type, rows)


def _blank_form(
    request: HttpRequest, problem_type: ProblemType, rows: list[ProblemField]
) -> HttpResponse:
    subject = " ".join(request.GET.get("subject", "")[:200].split())
    form = SupportForm(
        problem_type=problem_type,
        rows=rows,
        account_email=_account_email(request),
        initial={
            "subject": subject,
            "guide": request.GET.get("guide", "")[:200],
            "user_id": _known_user_id(request),
        },
    )
    # Without the page's script, suggestions for a subject given in the link.
    suggestions = suggest_articles(subject, language=_language()) if subject else []
    shown = suggestion_paths(s.url for s in suggestions)
    return _page(request, form, suggestions=suggestions, shown=shown, opened=(), held=[])


def _received_form(
    request: HttpRequest, problem_type: ProblemType, rows: list[ProblemField]
) -> HttpResponseBase:
    account_email = _account_email(request)
    wait = limit_address(
        request,
        scope="attempt",
        setting=limits.ATTEMPT_RATE_SETTING,
        default=limits.ATTEMPT_RATE_DEFAULT,
    )
    if wait is not None:
        return _rate_limited(request, wait)
    kept = _kept_files(request)
    form = SupportForm(
        request.POST,
        request.FILES,
        problem_type=problem_type,
        rows=rows,
        account_email=account_email,
        held_count=len(kept),
    )
    shown = suggestion_paths(request.POST.getlist("suggestion_shown"))
    opened = tuple(
        path
        for path in suggestion_paths(request.POST.getlist("suggestion_opened"))
        if path in shown
    )
    if not form.is_valid():
        return _invalid(request, form, kept=kept, shown=shown, opened=opened)

    email = str(form.cleaned_data["email"])
    wait = limits.limit_submission(request, email=email)
    if wait is not None:
        return _rate_limited(request, wait)
    details = form.answers()
    guide = _guide(str(form.cleaned_data.get("guide") or ""))
    if guide is not None:
        details[GUIDE] = guide.slug
    outcome = intake.receive(
        InboundMessage(
            channel="web",
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            sender_email=email,
            customer_id=request.user.pk if account_email else None,
            email_verified=bool(account_email),
            # The user ID has its own column on the ticket, shown to agents beside the
            # email; when it happened and the error message travel with the answers.
            external_user_id=form.cleaned_data.get("user_id") or "",
            problem_type=problem_type.slug,
            fields=details,
            attachments=tuple([file.as_attachment() for file in kept] + list(form.accepted_files)),
            language=_language(),
            suggestions_shown=shown,
            suggestions_opened=opened,
        )
    )
    held_files.release(kept)
    ticket_id = outcome.ticket_id if outcome.outcome in ("created", "dropped") else None
    receipt = Receipt(
        ticket_id=ticket_id,
        problem_type=problem_type.slug,
        kept_for_later=outcome.outcome in ("held", "quarantined"),
    )
    return redirect(f"{reverse('support:sent')}?{urlencode({'r': write_receipt(receipt)})}")


def _kept_files(request: HttpRequest) -> list[held_files.HeldFile]:
    """The files held from an earlier try that the customer left ticked."""
    held = held_files.read(request.POST.get("held_files", ""))
    keep = set(request.POST.getlist("keep_held"))
    kept = [file for file in held if file.key in keep]
    held_files.release([file for file in held if file.key not in keep])
    return kept


def _invalid(
    request: HttpRequest,
    form: SupportForm,
    *,
    kept: list[held_files.HeldFile],
    shown: tuple[str, ...],
    opened: tuple[str, ...],
) -> HttpResponse:
    new = held_files.hold(form.accepted_files) if form.accepted_files else []
    held = held_files.renew(kept) + (new or [])
    subject = str(form.data.get("subject", ""))
    suggestions = suggest_articles(subject, language=_language())
    shown = suggestion_paths([*shown, *(s.url for s in suggestions)])
    return _page(
        request,
        form,
        suggestions=suggestions,
        shown=shown,
        opened=opened,
        held=held,
        files_not_kept=new is None,
    )


@require_GET
def sent(request: HttpRequest) -> HttpResponse:
    receipt = read_receipt(request.GET.get("r", ""))
    if receipt is None:
        return redirect("support:new")
    ticket = None
    if receipt.ticket_id is not None:
        ticket = Ticket.objects.select_related("problem_type").filter(pk=receipt.ticket_id).first()
    problem_type = ticket.problem_type if ticket else problem_type_by_slug(receipt.problem_type)
    expected = expected_first_response(problem_type, ticket.priority if ticket else "")
    own = ticket is not None and is_requester(request.user, ticket)
    notices = (
        ticket.messages.filter(author_kind=AuthorKind.SYSTEM, is_internal=False)
        .order_by("id")
        .values_list("body", flat=True)[:10]
        if ticket
        else []
    )
    return render(
        request,
        "support/sent.html",
        {
            "ticket": ticket if own else None,
            "visitor": ticket is not None and not own,
            "email": ticket.requester_email if ticket else "",
            "notices": list(notices),
            "kept_for_later": receipt.kept_for_later,
            "expected": expected,
        },
    )


@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    """Articles for the subject typed so far, for the page's script."""
    wait = limit_address(
        request,
        scope="suggest",
        setting=limits.SUGGEST_RATE_SETTING,
        default=limits.SUGGEST_RATE_DEFAULT,
    )
    if wait is not None:
        response = JsonResponse({"suggestions": [], "message": _("Too many requests.")}, status=429)
        response["Retry-After"] = str(wait)
        return response
    found = suggest_articles(request.GET.get("q", ""), language=_language())
    return JsonResponse(
        {"suggestions": [{"title": s.title, "url": s.url, "locale": s.locale} for s in found]}
    )


@require_http_methods(["GET", "POST"])
def solved(request: HttpRequest) -> HttpResponse:
    """ "This solved my problem": nothing is filed, the deflection is counted (POST, once)."""
    article = request.POST.get("article", "") or request.GET.get("article", "")
    article = article.strip()[:200]
    if not is_help_center_path(article):
        return render(
            request,
            "support/form_solved.html",
            {"error": message(FormErrorCode.NOT_AN_ARTICLE)},
            status=400,
        )
    if request.method == "POST":
        wait = limit_address(
            request,
            scope="deflection",
            setting=limits.DEFLECTION_RATE_SETTING,
            default=limits.DEFLECTION_RATE_DEFAULT,
        )
        if wait is not None:
            return _rate_limited(request, wait)
        problem_type = problem_type_by_slug(request.POST.get("problem_type", "")[:32])
        record_deflection(problem_type=problem_type, article=article, language=_language())
        return redirect(f"{reverse('support:solved')}?{urlencode({'article': article})}")
    return render(request, "support/form_solved.html", {"article": article})
