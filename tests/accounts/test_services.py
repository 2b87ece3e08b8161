"""Roles: what create_user and set_role give a person, and the groups behind them."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission

from madoguchi.accounts.models import Role
from madoguchi.accounts.permissions import is_editor, is_staff_member
from madoguchi.accounts.services import create_user, set_role, sync_role_groups

pytestmark = pytest.mark.django_db


def test_a_new_customer_is_not_staff_and_has_a_verified_email() -> None:
    user = create_user(email="Hanako@Tsukimi.Example", password="x" * 12)
    assert user.email == "hanako@tsukimi.example"
    assert user.role == Role.CUSTOMER
    assert not user.is_staff and not user.is_superuser
    assert user.preferred_language == "ja"
    assert EmailAddress.objects.filter(user=user, verified=True, primary=True).exists()
    assert list(user.groups.values_list("name", flat=True)) == ["customer"]


@pytest.mark.parametrize("role", ["agent", "moderator", "editor"])
def test_staff_roles_may_enter_the_admin_but_are_not_superusers(role: str) -> None:
    user = create_user(email=f"{role}@tsukimi.example", password="x" * 12, role=role)
    assert user.is_staff and not user.is_superuser
    assert is_staff_member(user)
    assert list(user.groups.values_list("name", flat=True)) == [role]


def test_an_admin_is_a_superuser() -> None:
    user = create_user(email="boss@tsukimi.example", password="x" * 12, role="admin")
    assert user.is_staff and user.is_superuser
    assert is_editor(user)


def test_an_editor_holds_every_help_center_and_search_permission() -> None:
    editor = create_user(email="editor@tsukimi.example", password="x" * 12, role="editor")
    expected = Permission.objects.filter(content_type__app_label__in=["helpcenter", "search"])
    assert Permission.objects.filter(content_type__app_label="helpcenter").exists()
    for permission in expected:
        assert editor.has_perm(f"{permission.content_type.app_label}.{permission.codename}")
    assert not editor.has_perm("accounts.change_user")


def test_agents_and_moderators_may_only_view_the_help_center() -> None:
    for role in ("agent", "moderator"):
        group = Group.objects.get(name=role)
        codenames = set(group.permissions.values_list("codename", flat=True))
        assert codenames, "the group can at least read the Help Center"
        assert all(name.startswith("view_") for name in codenames)
        labels = set(group.permissions.values_list("content_type__app_label", flat=True))
        assert labels == {"helpcenter"}


def test_changing_a_role_moves_the_user_to_the_new_group_and_status() -> None:
    user = create_user(email="sora@tsukimi.example", password="x" * 12, role="editor")
    set_role(user=user, role="customer")
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser
    assert not is_editor(user)
    assert list(user.groups.values_list("name", flat=True)) == ["customer"]
    set_role(user=user, role="admin")
    user.refresh_from_db()
    assert user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["admin"]


def test_role_groups_are_recreated_with_their_permissions_after_being_deleted() -> None:
    Group.objects.filter(name="editor").delete()
    counts = sync_role_groups()
    assert set(counts) == {"customer", "agent", "moderator", "editor", "admin"}
    assert Group.objects.get(name="editor").permissions.count() == counts["editor"] > 0


def test_an_unknown_role_or_language_is_refused() -> None:
    with pytest.raises(ValueError):
        create_user(email="a@tsukimi.example", password="x" * 12, role="wizard")
    with pytest.raises(ValueError):
        create_user(email="b@tsukimi.example", password="x" * 12, language="fr")


def test_anonymous_and_inactive_people_are_neither_staff_nor_editors() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not is_staff_member(AnonymousUser())
    assert not is_editor(AnonymousUser())
    editor = create_user(email="gone@tsukimi.example", password="x" * 12, role="editor")
    editor.is_active = False
    assert not is_editor(editor)
