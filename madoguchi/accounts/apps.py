from typing import Any

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _refresh_role_groups(sender: AppConfig, **kwargs: Any) -> None:
    # post_migrate fires once per app, after django.contrib.auth created that app's
    # permissions (auth connected first). Refreshing on accounts and on every app a role
    # draws permissions from keeps the groups exact whatever the app order.
    from madoguchi.accounts.services import ROLE_PERMISSIONS, sync_role_groups

    granting = {label for rules in ROLE_PERMISSIONS.values() for label in rules}
    if sender.label == "accounts" or sender.label in granting:
        sync_role_groups()


class AccountsConfig(AppConfig):
    name = "madoguchi.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        post_migrate.connect(_refresh_role_groups, dispatch_uid="madoguchi.accounts.role_groups")


class MadoguchiAdminConfig(admin_apps.AdminConfig):
    """The Django admin, with a site whose login is allauth's (so 2FA always applies)."""

    default = False  # AccountsConfig stays this module's app config

    default_site = "madoguchi.accounts.admin_site.MadoguchiAdminSite"
