"""The reports page and its CSV exports: parse the choices, check who reads, count, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from madoguchi.reports.charts import report_charts
from madoguchi.reports.exports import csv_response
from madoguchi.reports.forms import ReportForm
from madoguchi.reports.permissions import NOT_FOUND, led_groups, sees_every_group
from madoguchi.reports.selectors import Report, Scope, report
from madoguchi.reports.tables import TABLES, tables
from madoguchi.tickets.models import SupportGroup


def _chosen(request: HttpRequest, groups: list[SupportGroup]) -> tuple[ReportForm, Report | None]:
    """The bound form and, when its choices are valid, the report they ask for."""
    every_group = sees_every_group(request.user)
    form = ReportForm(request.GET, groups=groups, every_group=every_group)
    if not form.is_valid():
        return form, None
    group = form.chosen_group
    if group is not None:
        scope = Scope((group.pk,))
    elif every_group:
        scope = Scope(None)
    else:
        scope = Scope(tuple(group.pk for group in groups))
    return form, report(scope=scope, period=form.period, breakdown=form.breakdown)


@require_GET
def reports_page(request: HttpRequest) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form, result = _chosen(request, led_groups(request.user))
    context: dict[str, Any] = {"form": form, "report": result, "query": request.GET.urlencode()}
    if result is not None:
        context["tables"] = tables(result)
        context["charts"] = report_charts(result)
    return render(
        request, "reports/report.html", context, status=200 if result is not None else 400
    )


@require_GET
def csv_export(request: HttpRequest, table: str) -> HttpResponseBase:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    groups = led_groups(request.user)
    if table not in TABLES:
        raise Http404(NOT_FOUND)
    form, result = _chosen(request, groups)
    if result is None:
        problems = [str(error) for errors in form.errors.values() for error in errors]
        message = _("The report could not be made: %(problems)s") % {"problems": " ".join(problems)}
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    period = result.period
    filename = f"{table}-{result.breakdown}-{period.first_day}-{period.last_day}.csv"
    return csv_response(tables(result)[table], filename=filename)
