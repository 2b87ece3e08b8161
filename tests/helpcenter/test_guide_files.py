"""Guide YAML: a good guide reads back as written; a guide whose paths do not end is refused."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import yaml
from django.utils import translation

from madoguchi.helpcenter.guide_files import (
    GuideFormatError,
    dump_guide_yaml,
    load_guide_yaml,
    parse_guide,
)
from madoguchi.helpcenter.models import Guide
from tests.helpcenter.conftest import SMALL_GUIDE


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _guide(**changes: object) -> dict[str, object]:
    data = yaml.safe_load(SMALL_GUIDE.format(locale="en", title="I cannot log in"))
    data.update(changes)
    return data


def _problems(data: object) -> str:
    with pytest.raises(GuideFormatError) as raised:
        parse_guide(data)
    return "\n".join(raised.value.problems)


def test_a_guide_reads_with_its_branches() -> None:
    guide = load_guide_yaml(SMALL_GUIDE.format(locale="ja", title="ログインできない"))
    assert guide.slug == "cannot-log-in" and guide.locale == "ja"
    assert guide.problem_type == "login"
    first = guide.steps[0]
    assert first.kind == "question"
    assert [(c.label, c.next) for c in first.choices] == [
        ("Yes", "password-known"),
        ("No", "resend-email"),
    ]


def test_a_question_without_choices_is_refused() -> None:
    data = _guide()
    data["steps"][1]["choices"] = []  # type: ignore[index]
    assert "question “password-known” has no choices" in _problems(data)


def test_a_choice_to_a_missing_step_is_refused() -> None:
    data = _guide()
    data["steps"][0]["choices"][0]["next"] = "nowhere"  # type: ignore[index]
    assert "missing step “nowhere”" in _problems(data)


def test_a_loop_is_refused() -> None:
    data = _guide()
    data["steps"][1]["choices"][0]["next"] = "email-confirmed"  # type: ignore[index]
    assert "loop back to “email-confirmed”" in _problems(data)


def test_an_unreachable_step_is_refused() -> None:
    data = _guide()
    data["steps"].append({"key": "orphan", "kind": "fix", "title": "Orphan"})  # type: ignore[union-attr]
    assert "“orphan” cannot be reached" in _problems(data)


def test_a_fix_with_choices_is_refused() -> None:
    data = _guide()
    data["steps"][2]["choices"] = [{"label": "x", "next": "talk-to-us"}]  # type: ignore[index]
    assert "ends a path and cannot offer choices" in _problems(data)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"start": "nope"}, "the first step “nope” does not exist"),
        ({"locale": "fr"}, "unknown locale “fr”"),
        ({"problem_type": "refund"}, "unknown problem type “refund”"),
        ({"slug": "Not A Slug"}, "bad slug"),
        ({"steps": "none"}, "a guide needs a list of steps"),
        ({"title": None}, "missing field “title”"),
    ],
)
def test_bad_fields_are_named(changes: dict[str, object], reason: str) -> None:
    assert reason in _problems(_guide(**changes))


def test_not_yaml_and_not_a_mapping_are_refused() -> None:
    with pytest.raises(GuideFormatError):
        load_guide_yaml("steps: [unclosed")
    with pytest.raises(GuideFormatError):
        load_guide_yaml("- just\n- a list\n")


@pytest.mark.django_db
def test_a_saved_guide_dumps_back_to_the_same_definition(
    make_guide: Callable[..., Guide],
) -> None:
    guide = make_guide(locale="en")
    make_guide(locale="ja", title="ログインできない")
    guide.refresh_from_db()
    again = load_guide_yaml(dump_guide_yaml(guide))
    assert again == load_guide_yaml(SMALL_GUIDE.format(locale="en", title="I cannot log in"))
