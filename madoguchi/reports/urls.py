"""Reports behind the counter, under /<language>/agent/reports/."""

from django.urls import URLPattern, URLResolver, path

from madoguchi.reports.views import csv_export, reports_page

app_name = "reports"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", reports_page, name="index"),
    path("<slug:table>.csv", csv_export, name="csv"),
]
