"""The support form's widgets written out in Python, as Django's own widget templates write them.

The form page shows some thirty widgets and options; through the template engine they were a
fifth of the server's time per filed ticket. Inputs, text areas, selects and empty error lists
are written here byte for byte as the templates would (tests/support/test_rendering.py compares
the two); anything else, or any value of an unexpected type, goes to the templates.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString

_WIDGETS = "django/forms/widgets/"
# Each of these is `{% include "django/forms/widgets/input.html" %}` and nothing else.
_INPUTS = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "input",
        "text",
        "email",
        "hidden",
        "file",
        "datetime",
        "date",
        "time",
        "number",
        "url",
        "password",
        "search",
        "tel",
    )
)
_TEXTAREA = f"{_WIDGETS}textarea.html"
_SELECT = f"{_WIDGETS}select.html"
_OPTION = f"{_WIDGETS}select_option.html"
_ERRORS = frozenset({"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"})


class _Unexpected(Exception):
    """A value the templates might show differently: leave the widget to them."""


def _text(value: Any) -> str:
    """`{{ value }}` for text: escaped unless already safe."""
    if isinstance(value, str):
        return str(conditional_escape(value))
    raise _Unexpected


def _formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: the %s form, escaped unless the value was safe."""
    if isinstance(value, bool | int | str | Promise):
        text = "%s" % value  # noqa: UP031 - exactly what the stringformat filter does
        return str(conditional_escape(SafeString(text) if isinstance(value, SafeData) else text))
    raise _Unexpected


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(
            f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"'
        )
    return "".join(parts)


def _input(widget: dict[str, Any]) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict[str, Any]) -> str:
    value = widget["value"]
    content = _text(value) if value else ""
    return (
        f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{content}</textarea>'
    )


def _select(widget: dict[str, Any]) -> str:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in group_choices:
            if option.get("template_name") != _OPTION:
                raise _Unexpected
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class SupportFormRenderer(DjangoTemplates):
    """Django's default form renderer, with the widgets of the support form written directly."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        try:
            if template_name in _INPUTS:
                return SafeString(_input(context["widget"]))
            if template_name == _TEXTAREA:
                return SafeString(_textarea(context["widget"]))
            if template_name == _SELECT:
                return SafeString(_select(context["widget"]))
            if template_name in _ERRORS and not context.get("errors"):
                return SafeString("")
        except (_Unexpected, KeyError, TypeError, ValueError):
            pass
        return str(super().render(template_name, context, request=request))


RENDERER = SupportFormRenderer()
