"""Forms of the agent page: the queue filters and one small form per action on a ticket."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from typing import Any, cast

from django import forms
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from madoguchi.tickets.models import Priority, Status, SupportGroup
from madoguchi.tickets.services.conversation import MAX_BODY_CHARS

ACTIVE = "active"
ALL = "all"
MINE = "me"
UNASSIGNED = "unassigned"
NOBODY = ""
BREACHING = "soon"

# Where a ticket goes after an agent's answer; waiting for the customer comes first.
STATUSES_AFTER_REPLY = (Status.PENDING, Status.OPEN, Status.SOLVED, Status.ON_HOLD)
# "New" is where tickets start, not somewhere an agent sends them back to.
SETTABLE_STATUSES = (Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED, Status.CLOSED)
TAGS_CHARS = 1000
# A label ending in one of these gets no ":" (BoundField.label_tag); translated by Django's own
# catalogue, so a name rather than a literal keeps it out of ours.
LABEL_PUNCTUATION = ":?.!"


class QueueFilterForm(forms.Form):
    """The queue's filters, all optional: a value that does not fit falls back to the default.

    A saved view keeps `saved_filters()`, which are these fields' values and nothing else.
    """

    status = forms.ChoiceField(label=_("Status"), required=False)
    group = forms.ChoiceField(label=_("Group"), required=False)
    assigned = forms.ChoiceField(
        label=_("Assignee"),
        required=False,
        choices=[
            ("", _("Anyone")),
            (MINE, _("Assigned to me")),
            (UNASSIGNED, _("Unassigned")),
        ],
    )
    priority = forms.ChoiceField(label=_("Priority"), required=False)
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[("", _("Any time")), (BREACHING, _("Breaching soon"))],
    )

    def __init__(self, *args: Any, groups: Iterable[SupportGroup], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (ACTIVE, _("Needs work (new, open, waiting, on hold)")),
            *Status.choices,
            (ALL, _("All statuses")),
        ]
        cast(forms.ChoiceField, self.fields["group"]).choices = [
            ("", _("All my groups")),
            *((group.slug, group.name) for group in groups),
        ]
        cast(forms.ChoiceField, self.fields["priority"]).choices = [
            ("", _("Any priority")),
            *Priority.choices,
        ]

    def value(self, name: str, default: str = "") -> str:
        """The cleaned value of `name`, or `default` when it was missing or did not fit."""
        if not self.is_bound:
            return default
        self.is_valid()  # keeps the fields that did fit in cleaned_data
        return str(self.cleaned_data.get(name) or default)

    def saved_filters(self) -> dict[str, str]:
        """The values that fit and differ from the defaults, for a saved view."""
        return {name: value for name in self.fields if (value := self.value(name))}

    def fields_html(self) -> list[SafeString]:
        """Each filter as `{{ field.label_tag }} {{ field }}` writes it, byte for byte: its label
        and its <select>, the chosen option marked, aria-invalid (and the error's id) on a value
        that did not fit.

        Written here because the queue page shows these five selects on every request, and
        Django's widget and label templates were a tenth of the page's time. Only what these
        fields use is covered (ChoiceFields with a plain Select, no help text, not required);
        tests/tickets/test_queues.py compares the two."""
        errors = self.errors if self.is_bound else {}
        result = []
        for name, field in self.fields.items():
            choice = cast(forms.ChoiceField, field)
            if self.is_bound:
                raw = self.data.get(self.add_prefix(name))
            else:
                raw = self.get_initial_for_field(field, name)
            chosen = "" if raw is None else str(raw)
            options = []
            selected = False
            for value, label in cast(list[tuple[Any, Any]], choice.choices):
                mark = ""
                if not selected and str(value) == chosen:
                    mark, selected = " selected", True
                shown = escape(str(label))
                options.append(f'\n  <option value="{escape(str(value))}"{mark}>{shown}</option>\n')
            auto_id = escape(str(self.auto_id) % self.add_prefix(name))
            invalid = (
                f' aria-invalid="true" aria-describedby="{auto_id}_error"' if name in errors else ""
            )
            text = str(field.label)
            if self.label_suffix and text and text[-1] not in gettext(LABEL_PUNCTUATION):
                text += str(self.label_suffix)
            result.append(
                SafeString(
                    f'<label for="{auto_id}">{escape(text)}</label> <select name="{escape(name)}"'
                    f'{invalid} id="{auto_id}">{"".join(options)}\n</select>'
                )
            )
        return result


class SavedViewForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the view"),
        max_length=80,
        error_messages={
            "required": _("Please give the view a name."),
            "max_length": _("This name is too long."),
        },
    )


class QueueSearchForm(forms.Form):
    q = forms.CharField(label=_("Search tickets"), max_length=200, required=False)


class ActionForm(forms.Form):
    """One of several forms on the ticket page: its field ids must not collide with the others'."""

    id_prefix = "action"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class ReplyForm(ActionForm):
    id_prefix = "reply"
    body = forms.CharField(
        label=_("Reply to the customer"),
        strip=False,
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": _("Please write a message."),
            "max_length": _("This message is too long."),
        },
    )
    status = forms.ChoiceField(
        label=_("Status after sending"),
        choices=[(status.value, status.label) for status in STATUSES_AFTER_REPLY],
        initial=Status.PENDING,
        error_messages={"invalid_choice": _("This status does not exist.")},
    )


class NoteForm(ActionForm):
    id_prefix = "note"
    body = forms.CharField(
        label=_("Internal note"),
        help_text=_("Only agents see notes; the customer never does."),
        strip=False,
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Please write a message."),
            "max_length": _("This message is too long."),
        },
    )


class StatusForm(ActionForm):
    id_prefix = "status"
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(status.value, status.label) for status in SETTABLE_STATUSES],
        help_text=_("A closed ticket cannot be opened again."),
        error_messages={"invalid_choice": _("This status does not exist.")},
    )


class PriorityForm(ActionForm):
    id_prefix = "priority"
    priority = forms.ChoiceField(
        label=_("Priority"),
        choices=Priority.choices,
        error_messages={"invalid_choice": _("This priority does not exist.")},
    )


class AssignForm(ActionForm):
    """Me, another agent of the ticket's group, or nobody."""

    id_prefix = "assign"

    assignee = forms.ChoiceField(
        label=_("Assignee"),
        required=False,
        error_messages={"invalid_choice": _("This person is not an agent of the ticket's group.")},
    )

    def __init__(self, *args: Any, members: Iterable[Any], user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {str(member.pk): member for member in members}
        self.user = user
        # "Me" only for an agent of the group: an administrator outside it picks someone.
        mine = [(MINE, _("Me"))] if str(user.pk) in self.members else []
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [
            (NOBODY, _("Nobody")),
            *mine,
            *((pk, member.email) for pk, member in self.members.items() if member.pk != user.pk),
        ]

    def chosen(self) -> Any:
        """The chosen user, or None for nobody; call after `is_valid()`."""
        value = self.cleaned_data.get("assignee") or NOBODY
        if value == MINE:
            return self.user
        return self.members.get(value)


class TagsForm(ActionForm):
    id_prefix = "tags"
    tags = forms.CharField(
        label=_("Tags"),
        help_text=_("Separate tags with spaces or commas."),
        required=False,
        max_length=TAGS_CHARS,
        error_messages={"max_length": _("Too many tags.")},
    )

    def tag_list(self) -> list[str]:
        return [tag for tag in re.split(r"[\s,、，]+", self.cleaned_data.get("tags", "")) if tag]


class RemoveCopiedForm(forms.Form):
    """Stop copying one person on the answers; the address as the ticket page shows it."""

    email = forms.CharField(max_length=254)
