"""django-helpdesk at the root of the benchmark site, its public form at /tickets/submit/."""

from django.urls import include, path

urlpatterns = [path("", include("helpdesk.urls", namespace="helpdesk"))]
