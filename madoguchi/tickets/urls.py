"""Pages behind the counter, under /<language>/agent/."""

from django.urls import URLPattern, URLResolver

app_name = "tickets"

urlpatterns: list[URLPattern | URLResolver] = []
