"""`{% form_field field %}`: one question of the support form with its label, help and errors.

Written in Python rather than as an included template: the form shows up to twenty of them and
an include costs more than the field itself (bench/tickets.py).
"""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def form_field(field: BoundField) -> SafeString:
    required = (
        format_html(' <span class="form-field__required">{}</span>', _("required"))
        if field.field.required
        else ""
    )
    help_text = (
        format_html(
            '<div class="helptext" id="{}_helptext">{}</div>', field.auto_id, field.help_text
        )
        if field.help_text
        else ""
    )
    return format_html(
        '<div class="form-field{}" data-field="{}">\n'
        '  <label for="{}">{}{}</label>\n'
        "  {}\n"
        "  {}\n"
        "  {}\n"
        "</div>",
        " form-field--error" if field.errors else "",
        field.html_name,
        field.id_for_label,
        field.label,
        required,
        help_text,
        field.errors,
        field,
    )
