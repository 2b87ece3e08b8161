from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpcenterConfig(AppConfig):
    name = "madoguchi.helpcenter"
    verbose_name = _("Help Center")

    def ready(self) -> None:
        from madoguchi.helpcenter.documents import ARTICLE_SOURCE, GUIDE_SOURCE
        from madoguchi.search.documents import register_source

        register_source(ARTICLE_SOURCE)
        register_source(GUIDE_SOURCE)
