"""Factories for Help Center tests: people with roles, categories, articles, guides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.test import Client

from madoguchi.accounts.services import create_user
from madoguchi.helpcenter.guide_files import load_guide_yaml
from madoguchi.helpcenter.models import Article, Category, Guide, Status
from madoguchi.helpcenter.services import save_article, save_category, save_guide

SMALL_GUIDE = """
slug: cannot-log-in
locale: {locale}
title: {title}
category: account
translation_of: cannot-log-in
problem_type: login
summary: A short walk to get back in.
start: email-confirmed
steps:
  - key: email-confirmed
    kind: question
    title: Did the confirmation email arrive?
    body: Look in the **spam** folder too.
    choices:
      - {{label: "Yes", next: password-known}}
      - {{label: "No", next: resend-email}}
  - key: password-known
    kind: question
    title: Do you know your password?
    choices:
      - {{label: "Yes", next: talk-to-us}}
      - {{label: "No", next: reset-password}}
  - key: resend-email
    kind: fix
    title: Send the email again
    body: Press *Resend* on the login page and wait five minutes.
  - key: reset-password
    kind: fix
    title: Reset your password
    body: Use the "Forgot your password?" link.
  - key: talk-to-us
    kind: contact
    title: Our team will look into it
    body: Tell us the time you tried to log in.
"""


@pytest.fixture
def editor(db: None) -> Any:
    user = create_user(
        email="editor@tsukimi.example", password="a-long-editor-password", role="editor"
    )
    # Staff must have a second factor; the middleware only lets enrolled staff through.
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    return user


@pytest.fixture
def customer(db: None) -> Any:
    return create_user(email="customer@example.com", password="a-long-customer-password")


@pytest.fixture
def editor_client(editor: Any) -> Client:
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def customer_client(customer: Any) -> Client:
    client = Client()
    client.force_login(customer)
    return client


@pytest.fixture
def account(db: None) -> Category:
    return save_category(slug="account", name_ja="アカウント", name_en="Account", position=10)


@pytest.fixture
def deposits(db: None) -> Category:
    return save_category(
        slug="deposits-withdrawals", name_ja="入出金", name_en="Deposits & Withdrawals", position=30
    )


@pytest.fixture
def make_article(account: Category) -> Callable[..., Article]:
    def make(**overrides: Any) -> Article:
        values: dict[str, Any] = {
            "author": None,
            "slug": "reset-password",
            "locale": "ja",
            "title": "パスワードを再設定する",
            "body": (
                "## 手順\n\n1. ログイン画面を開きます。\n"
                "2. **パスワードをお忘れですか？** を押します。"
            ),
            "category": account,
            "status": Status.PUBLISHED,
        }
        values.update(overrides)
        return save_article(**values)

    return make


@pytest.fixture
def make_guide(account: Category) -> Callable[..., Guide]:
    def make(*, locale: str = "en", title: str = "I cannot log in") -> Guide:
        return save_guide(
            definition=load_guide_yaml(SMALL_GUIDE.format(locale=locale, title=title))
        )

    return make
