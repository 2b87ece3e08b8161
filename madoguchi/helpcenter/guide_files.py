"""Troubleshooting guides as YAML: reading, checking that every path ends, and writing back.

The schema (one guide per file, `<slug>.<locale>.yaml`):

    slug, locale, title, category, problem_type, summary, start, translation_of (optional),
    status (optional, published by default), steps: [{key, kind, title, body, choices}]

where a `question` step has choices `{label, next}` and a `fix` or `contact` step has none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.utils.translation import gettext as _

from madoguchi.helpcenter.models import LOCALES, Guide, ProblemType, Status, StepKind


@dataclass(frozen=True, slots=True)
class ChoiceDefinition:
    label: str
    next: str


@dataclass(frozen=True, slots=True)
class StepDefinition:
    key: str
    kind: str
    title: str
    body: str = ""
    choices: tuple[ChoiceDefinition, ...] = ()


@dataclass(frozen=True, slots=True)
class GuideDefinition:
    slug: str
    locale: str
    title: str
    category: str
    problem_type: str
    start: str
    steps: tuple[StepDefinition, ...]
    summary: str = ""
    translation_of: str = ""
    status: str = Status.PUBLISHED


class GuideFormatError(Exception):
    """A guide file that cannot be read; `problems` lists every reason, translated."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _text(data: Mapping[str, Any], name: str, problems: list[str], *, required: bool) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            problems.append(_("missing field “%(field)s”") % {"field": name})
        return ""
    if isinstance(value, bool | list | dict):
        problems.append(_("field “%(field)s” must be text") % {"field": name})
        return ""
    return str(value).strip()


def _valid_slug(value: str) -> bool:
    try:
        validate_slug(value)
    except ValidationError:
        return False
    return True


def parse_guide(data: Any) -> GuideDefinition:
    """Read one guide from parsed YAML; raises GuideFormatError listing every problem."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise GuideFormatError([_("a guide must be a mapping of fields")])
    slug = _text(data, "slug", problems, required=True)
    locale = _text(data, "locale", problems, required=True)
    if slug and not _valid_slug(slug):
        problems.append(_("bad slug “%(slug)s”") % {"slug": slug})
    if locale and locale not in LOCALES:
        problems.append(_("unknown locale “%(locale)s”") % {"locale": locale})
    problem_type = _text(data, "problem_type", problems, required=False) or ProblemType.OTHER
    if problem_type not in ProblemType.values:
        problems.append(_("unknown problem type “%(type)s”") % {"type": problem_type})
    status = _text(data, "status", problems, required=False) or Status.PUBLISHED
    if status not in Status.values:
        problems.append(_("unknown status “%(status)s”") % {"status": status})
    steps: list[StepDefinition] = []
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        problems.append(_("a guide needs a list of steps"))
        raw_steps = []
    for number, raw in enumerate(raw_steps, start=1):
        if not isinstance(raw, dict):
            problems.append(_("step %(number)s is not a mapping") % {"number": number})
            continue
        choices: list[ChoiceDefinition] = []
        raw_choices = raw.get("choices") or []
        if not isinstance(raw_choices, list):
            problems.append(_("step %(number)s: choices must be a list") % {"number": number})
            raw_choices = []
        for choice in raw_choices:
            if not isinstance(choice, dict) or not choice.get("label") or not choice.get("next"):
                problems.append(
                    _("step %(number)s: each choice needs a label and a next step")
                    % {"number": number}
                )
                continue
            choices.append(ChoiceDefinition(str(choice["label"]), str(choice["next"])))
        steps.append(
            StepDefinition(
                key=_text(raw, "key", problems, required=True),
                kind=_text(raw, "kind", problems, required=True),
                title=_text(raw, "title", problems, required=True),
                body=_text(raw, "body", problems, required=False),
                choices=tuple(choices),
            )
        )
    definition = GuideDefinition(
        slug=slug,
        locale=locale,
        title=_text(data, "title", problems, required=True),
        category=_text(data, "category", problems, required=True),
        problem_type=problem_type,
        start=_text(data, "start", problems, required=True),
        steps=tuple(steps),
        summary=_text(data, "summary", problems, required=False),
        translation_of=_text(data, "translation_of", problems, required=False),
        status=status,
    )
    problems.extend(check_paths(definition))
    if problems:
        raise GuideFormatError(problems)
    return definition


def check_paths(definition: GuideDefinition) -> list[str]:
    """Every step reachable from the start, and every path ending in a fix or "contact us"."""
    problems: list[str] = []
    steps: dict[str, StepDefinition] = {}
    for step in definition.steps:
        if step.key in steps:
            problems.append(_("step “%(key)s” appears twice") % {"key": step.key})
        steps[step.key] = step
        if step.key and not _valid_slug(step.key):
            problems.append(_("bad step key “%(key)s”") % {"key": step.key})
        if step.kind not in StepKind.values:
            problems.append(
                _("step “%(key)s”: unknown kind “%(kind)s”") % {"key": step.key, "kind": step.kind}
            )
        elif step.kind == StepKind.QUESTION and not step.choices:
            problems.append(_("question “%(key)s” has no choices") % {"key": step.key})
        elif step.kind != StepKind.QUESTION and step.choices:
            problems.append(
                _("step “%(key)s” ends a path and cannot offer choices") % {"key": step.key}
            )
        for choice in step.choices:
            if choice.next not in {s.key for s in definition.steps}:
                problems.append(
                    _("step “%(key)s”: the choice “%(label)s” leads to a missing step “%(next)s”")
                    % {"key": step.key, "label": choice.label, "next": choice.next}
                )
    if definition.start and definition.start not in steps:
        problems.append(_("the first step “%(key)s” does not exist") % {"key": definition.start})
        return problems
    if problems or not definition.start:
        return problems
    # Depth-first walk: a step met again on the current path is a loop, which would
    # leave a customer going round in circles instead of reaching an end.
    reached: set[str] = set()
    on_path: set[str] = set()

    def walk(key: str) -> None:
        if key in on_path:
            problems.append(_("the steps loop back to “%(key)s”") % {"key": key})
            return
        if key in reached:
            return
        reached.add(key)
        on_path.add(key)
        for choice in steps[key].choices:
            walk(choice.next)
        on_path.discard(key)

    walk(definition.start)
    for key in steps:
        if key not in reached:
            problems.append(_("step “%(key)s” cannot be reached from the start") % {"key": key})
    return problems


def load_guide_yaml(text: str) -> GuideDefinition:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise GuideFormatError([_("not valid YAML: %(error)s") % {"error": error}]) from error
    return parse_guide(data)


def guide_to_data(guide: Guide) -> dict[str, Any]:
    """The YAML-ready form of a stored guide, the inverse of `parse_guide`."""
    steps = list(guide.steps.all())
    by_id = {step.pk: step.key for step in steps}
    data: dict[str, Any] = {
        "slug": guide.slug,
        "locale": guide.locale,
        "title": guide.title,
        "category": guide.category.slug,
    }
    if guide.translation_id is not None and guide.translation is not None:
        data["translation_of"] = guide.translation.slug
    data["problem_type"] = guide.problem_type
    data["summary"] = guide.summary
    if guide.status != Status.PUBLISHED:
        data["status"] = guide.status
    data["start"] = by_id.get(guide.start_step_id or 0, "")
    data["steps"] = []
    for step in steps:
        item: dict[str, Any] = {"key": step.key, "kind": step.kind, "title": step.title}
        if step.body:
            item["body"] = step.body
        choices = [
            {"label": choice.label, "next": by_id[choice.next_step_id]}
            for choice in step.choices.all()
        ]
        if choices:
            item["choices"] = choices
        data["steps"].append(item)
    return data


def dump_guide_yaml(guide: Guide) -> str:
    return yaml.safe_dump(
        guide_to_data(guide), allow_unicode=True, sort_keys=False, default_flow_style=False
    )
