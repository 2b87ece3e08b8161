from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from madoguchi.api.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
]

urlpatterns += i18n_patterns(
    path("accounts/anti-phishing-code/", include("madoguchi.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("mail/", include("madoguchi.mail.urls")),
    path("agent/reports/", include("madoguchi.reports.urls")),
    path("agent/", include("madoguchi.tickets.urls")),
    path("", include("madoguchi.support.urls")),
    path("", include("madoguchi.helpcenter.urls")),
    prefix_default_language=True,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
