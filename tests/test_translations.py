"""`madoguchi check-translations` fails on text a Japanese reader would see in English."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from madoguchi.translations import PACKAGE_DIR, python_problems, template_problems
from tests.conftest import require_service


@pytest.fixture
def gettext_tools() -> None:
    require_service("GNU gettext (xgettext, msgmerge, msgfmt)", bool(shutil.which("msgfmt")))


def check(root: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Run the command exactly as `make test` does, on a tree of our own."""
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "madoguchi.cli",
            "check-translations",
            "--root",
            str(root),
            *options,
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
    )


def tree(tmp_path: Path, template: str, translations: dict[str, str] | None = None) -> Path:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(template, encoding="utf-8")
    (tmp_path / "locale").mkdir()
    if translations is not None:
        po = polib.POFile()
        po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "ja"}
        for msgid, msgstr in translations.items():
            po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
        (tmp_path / "locale" / "ja" / "LC_MESSAGES").mkdir(parents=True)
        po.save(str(tmp_path / "locale" / "ja" / "LC_MESSAGES" / "django.po"))
    return tmp_path


PAGE = """{% load i18n %}
<h1>{% translate "Withdrawals" %}</h1>
<p>{% blocktranslate %}Sent within {{ hours }} hours.{% endblocktranslate %}</p>
"""


def test_a_fully_translated_tree_passes_and_is_compiled(
    tmp_path: Path, gettext_tools: None
) -> None:
    root = tree(
        tmp_path,
        PAGE,
        {"Withdrawals": "出金", "Sent within %(hours)s hours.": "%(hours)s 時間以内に送金します。"},
    )
    result = check(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "locale" / "ja" / "LC_MESSAGES" / "django.mo").exists()
    assert (root / "locale" / "en" / "LC_MESSAGES" / "django.po").exists()


def test_a_new_msgid_without_japanese_fails_with_the_catalogue_line(
    tmp_path: Path, gettext_tools: None
) -> None:
    root = tree(tmp_path, PAGE, {"Withdrawals": "出金"})
    result = check(root)
    assert result.returncode == 1
    po_file = root / "locale" / "ja" / "LC_MESSAGES" / "django.po"
    line = next(
        entry.linenum
        for entry in polib.pofile(str(po_file))
        if entry.msgid == "Sent within %(hours)s hours."
    )
    assert f"locale/ja/LC_MESSAGES/django.po:{line}: no ja translation" in result.stdout
    assert "templates/page.html" in result.stdout, "the problem names where the text is used"


def test_a_fuzzy_translation_fails(tmp_path: Path, gettext_tools: None) -> None:
    root = tree(tmp_path, '{% load i18n %}<p>{% translate "Deposit" %}</p>\n', {})
    po_file = root / "locale" / "ja" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_file))
    po.append(polib.POEntry(msgid="Deposit", msgstr="入金", flags=["fuzzy"]))
    po.save()
    result = check(root)
    assert result.returncode == 1
    assert "fuzzy ja translation of 'Deposit'" in result.stdout


def test_a_literal_in_a_template_fails_with_its_file_and_line(
    tmp_path: Path, gettext_tools: None
) -> None:
    root = tree(tmp_path, PAGE + "<p>\n  Contact support\n</p>\n", {})
    result = check(root)
    assert result.returncode == 1
    assert "templates/page.html:5: text not translated: 'Contact support'" in result.stdout


def test_text_inside_translation_tags_and_comments_passes() -> None:
    template = (
        "{% load i18n %}{% comment %}Notes for editors{% endcomment %}{# a remark #}\n"
        "<title>{% block title %}{% translate 'Help' %}{% endblock %}</title>\n"
        '<body class="{% block body_class %}home page{% endblock %}">\n'
        "<script>const label = 'not shown';</script><style>p { color: red }</style>\n"
        "<!-- an HTML comment -->\n"
        '<input placeholder="{% translate "Search" %}" aria-label="{% trans "Search" %}">\n'
        "<p>{{ article.title }} · 2024 &middot; 100%</p>\n"
    )
    assert template_problems(Path("ok.html"), template) == []


@pytest.mark.parametrize(
    ("snippet", "reported"),
    [
        ('<img src="x.png" alt="Deposit screen">', 'alt="Deposit screen"'),
        ('<input type="search" placeholder="Search…">', 'placeholder="Search…"'),
        ('<a href="/" title="ホーム">⌂</a>', 'title="ホーム"'),
        ('<button aria-label="Close">×</button>', 'aria-label="Close"'),
        ('<input type="submit" value="Send">', 'value="Send"'),
        ("<p>出金について</p>", "'出金について'"),
        ("<p>Hello {{ name }}</p>", "'Hello …'"),
    ],
)
def test_untranslated_text_and_attributes_are_reported(snippet: str, reported: str) -> None:
    problems = template_problems(Path("page.html"), "{% load i18n %}\n" + snippet)
    assert len(problems) == 1
    assert problems[0].line == 2
    assert reported in problems[0].message


def test_the_notranslate_marker_exempts_its_line() -> None:
    template = '<span lang="en">English</span>{# notranslate #}\n<p>Oops</p>\n'
    problems = template_problems(Path("page.html"), template)
    assert [(p.line, "Oops" in p.message) for p in problems] == [(2, True)]


def test_email_text_templates_are_checked_line_by_line() -> None:
    problems = template_problems(Path("mail.txt"), "{% load i18n %}{% translate 'Hi' %}\nBye\n")
    assert [p.line for p in problems] == [2]


PYTHON = """
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.translation import gettext as _, gettext_lazy


def view(request, name):
    messages.success(request, "Saved.")
    messages.error(request, _("Could not save."))
    messages.add_message(request, messages.INFO, f"Hello {name}")
    if not name:
        raise ValidationError("Name is required.")
    if name == "x":
        raise ValidationError(_("Name is required."))
    if name == "y":
        return HttpResponseBadRequest("Bad name: %s" % name)
    if name == "z":
        return HttpResponse("ok")  # notranslate: a health check for machines
    return HttpResponseRedirect("/en/articles/")


class ContactForm(forms.Form):
    email = forms.EmailField(label="Email", help_text=gettext_lazy("We reply here."))
    body = forms.CharField(label=_("Message"), help_text="Be specific.")


class Ticket(models.Model):
    subject = models.CharField("subject", max_length=200)
    owner = models.ForeignKey("accounts.User", on_delete=models.CASCADE)
    state = models.CharField(max_length=9, choices=[("open", "Open"), ("done", _("Done"))])

    class Meta:
        verbose_name = "ticket"
        verbose_name_plural = gettext_lazy("tickets")


class Urgency(models.TextChoices):
    LOW = "low", "Low"
    HIGH = "high", _("High")
"""


def test_user_visible_python_literals_are_reported_with_their_lines() -> None:
    problems = python_problems(Path("views.py"), PYTHON)
    found = sorted((p.line, p.message.split(" not translated")[0]) for p in problems)
    assert found == [
        (11, "messages.success"),
        (13, "messages.add_message"),
        (15, "ValidationError"),
        (19, "HttpResponseBadRequest"),
        (26, "label="),
        (27, "help_text="),
        (31, "CharField verbose name"),
        (33, "choice label"),
        (36, "Meta verbose name"),
        (41, "choice label"),
    ]


def test_the_project_templates_and_accounts_code_have_no_untranslated_text() -> None:
    problems = []
    for path in sorted((PACKAGE_DIR / "templates").rglob("*.html")):
        problems += template_problems(path)
    for path in sorted((PACKAGE_DIR / "accounts").rglob("*.py")):
        if "migrations" not in path.parts:
            problems += python_problems(path)
    problems += python_problems(PACKAGE_DIR / "settings.py")
    assert [str(p) for p in problems] == []


def test_the_project_and_accounts_catalogues_translate_every_string_into_japanese() -> None:
    for po_file in (
        PACKAGE_DIR / "locale" / "ja" / "LC_MESSAGES" / "django.po",
        PACKAGE_DIR / "accounts" / "locale" / "ja" / "LC_MESSAGES" / "django.po",
    ):
        catalogue = polib.pofile(str(po_file))
        assert len(catalogue) > 10
        assert catalogue.untranslated_entries() == []
        assert catalogue.fuzzy_entries() == []
