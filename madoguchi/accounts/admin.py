"""Users in the admin: listed by email and role; a role change goes through set_role."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts import services
from madoguchi.accounts.models import User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "role", "preferred_language")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = ("email", "role", "preferred_language", "is_active")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ("email", "role", "preferred_language", "is_active", "last_login")
    list_filter = ("role", "is_active", "preferred_language")
    search_fields = ("email",)
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined", "is_staff", "is_superuser")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Role"), {"fields": ("role", "is_staff", "is_superuser", "is_active")}),
        (_("Preferences"), {"fields": ("preferred_language",)}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "role",
                    "preferred_language",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # The username only mirrors the email (see User); keep it in step.
        obj.username = obj.email
        super().save_model(request, obj, form, change)
        if "role" in form.changed_data or not change:
            services.set_role(user=obj, role=obj.role)
        if not change or "email" in form.changed_data:
            # An operator vouches for the address they type; no confirmation mail.
            services.mark_email_verified(user=obj)
