"""The support form: the basics every request needs, then the fields of its problem type.

The per-type fields are built from the `ProblemField` rows on every request, so a change an
admin makes shows at once. Their answers, and when it happened and the error message, are
checked by `madoguchi.tickets.answers`, as the ticket API's are: crypto answers against the
chosen network, the value kept the normalized one (an EIP-55 checksummed address, a
lower-case TxID). Attachments are checked here by content, before anything is sent, so a
refused file is named next to the field instead of silently left out.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.intake.inbound import InboundAttachment
from madoguchi.support.errors import FormErrorCode, message
from madoguchi.support.rendering import RENDERER
from madoguchi.tickets.answers import (
    ERROR_MESSAGE_MAX,
    TEXT_MAX,
    check_answers,
    choice_options,
    max_length,
)
from madoguchi.tickets.details import ERROR_MESSAGE, OCCURRED_AT
from madoguchi.tickets.models import FieldKind, ProblemField, ProblemType
from madoguchi.tickets.networks import NETWORKS, CheckCode
from madoguchi.tickets.text import has_visible_text
from madoguchi.tickets.uploads import UploadRejected, check_count, inspect_upload, max_bytes

# Per-type answers are named `q_<key>` on the page, so no key an admin picks can collide
# with a basic field; the ticket stores them under `<key>`.
FIELD_PREFIX = "q_"

SUBJECT_MAX = 200
BODY_MAX = 20_000

_PASTED = {
    "autocomplete": "off",
    "autocapitalize": "off",
    "autocorrect": "off",
    "spellcheck": "false",
    "class": "mono",
}


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class AnswerField(forms.Field):
    """An answer as it was typed; `madoguchi.tickets.answers` checks it with the others.

    `required` only marks the input for the browser: a blank required answer is named by
    the answer checks, in the same words the ticket API uses.
    """

    def to_python(self, value: Any) -> str:
        return value if isinstance(value, str) else ""

    def validate(self, value: Any) -> None:
        pass


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files under one name (`<input type="file" multiple>`)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data]
        cleaned = [super(MultipleFileField, self).clean(item, initial) for item in items if item]
        return [item for item in cleaned if item]


def _choices(row: ProblemField) -> list[tuple[str, str]]:
    return [("", str(_("Choose…"))), *choice_options(row)]


def network_choices() -> list[tuple[str, str]]:
    return [("", str(_("Choose…")))] + [(n.id, n.name) for n in NETWORKS.values()]


def field_for(row: ProblemField) -> forms.Field:
    """The form field that asks `row`'s question, by its kind."""
    kind = row.kind
    longest = max_length(kind)
    check = {"data-check": kind, "data-field-key": row.key}
    widget: forms.Widget
    if kind == FieldKind.TEXTAREA:
        widget = forms.Textarea(attrs={"rows": 4, "maxlength": longest})
    elif kind == FieldKind.DATETIME:
        widget = DateTimeLocalInput()
    elif kind == FieldKind.CHOICE:
        widget = forms.Select(choices=_choices(row))
    elif kind == FieldKind.NETWORK:
        widget = forms.Select(attrs=check, choices=network_choices())
    elif kind == FieldKind.AMOUNT:
        attrs = {"inputmode": "decimal", "autocomplete": "off", "maxlength": 64, **check}
        widget = forms.TextInput(attrs=attrs)
    elif kind == FieldKind.COIN:
        attrs = {**_PASTED, "autocapitalize": "characters", "list": "coin-symbols", **check}
        widget = forms.TextInput(attrs={**attrs, "maxlength": 20})
    elif kind in (FieldKind.ADDRESS, FieldKind.TXID, FieldKind.MEMO):
        widget = forms.TextInput(attrs={**_PASTED, "maxlength": longest, **check})
    else:
        widget = forms.TextInput(attrs={"maxlength": TEXT_MAX})
    return AnswerField(label=row.label, help_text=row.help, required=row.required, widget=widget)


class SupportForm(forms.Form):
    """One problem type's form; `rows` are its ProblemField rows in order."""

    default_renderer = RENDERER

    email = forms.EmailField(
        label=_("Email address registered with us"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We reply to this address."),
    )
    user_id = forms.CharField(
        label=_("User ID"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={**_PASTED, "maxlength": 64}),
        help_text=_("Shown on your account page. It helps us find your account quickly."),
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "maxlength": SUBJECT_MAX, "data-suggest": "subject"}
        ),
        help_text=_("A few words, such as “BTC deposit not credited”."),
    )
    body = forms.CharField(
        label=_("What happened"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 7, "maxlength": BODY_MAX}),
        help_text=_("What you did, what you expected and what happened instead."),
    )
    # Checked with the per-type answers, which they travel with (madoguchi.tickets.answers).
    occurred_at = AnswerField(
        label=_("When it happened"), required=False, widget=DateTimeLocalInput()
    )
    error_message = AnswerField(
        label=_("Error message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": ERROR_MESSAGE_MAX}),
        help_text=_("Copy the message or code exactly as it was shown, if there was one."),
    )
    attachments = MultipleFileField(
        label=_("Screenshots and transaction history"),
        required=False,
        widget=MultipleFileInput(
            attrs={
                "accept": "image/png,image/jpeg,image/webp,image/heic,image/heif,.heic,"
                "application/pdf,text/csv,.csv"
            }
        ),
    )
    # A field people never see (hidden by the style sheet) and bots fill in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    guide = forms.SlugField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        problem_type: ProblemType,
        rows: list[ProblemField],
        account_email: str = "",
        held_count: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.problem_type = problem_type
        self.rows = rows
        self.held_count = held_count
        # Files that passed the checks in this post, kept even when another field fails.
        self.accepted_files: list[InboundAttachment] = []
        self._answers: dict[str, str] = {}
        self.fields["occurred_at"].help_text = _("In %(zone)s time.") % {
            "zone": timezone.get_current_timezone_name()
        }
        if account_email:
            self.fields["email"].disabled = True
            self.fields["email"].help_text = _(
                "The address of your account. We reply to it; change it in your account settings."
            )
            self.initial["email"] = account_email
        for row in rows:
            self.fields[FIELD_PREFIX + row.key] = field_for(row)

    # --- groups for the template ---------------------------------------------------------

    def about_you(self) -> list[forms.BoundField]:
        return [self["email"], self["user_id"]]

    def problem(self) -> list[forms.BoundField]:
        return [self["subject"], self["body"], self["occurred_at"], self["error_message"]]

    def type_fields(self) -> list[forms.BoundField]:
        return [self[FIELD_PREFIX + row.key] for row in self.rows]

    # --- checks ------------------------------------------------------------------------------

    def clean_website(self) -> str:
        value: str = self.cleaned_data.get("website", "")
        if value:
            raise ValidationError(message(FormErrorCode.LEAVE_EMPTY), code="leave_empty")
        return value

    def clean_subject(self) -> str:
        return _visible(self.cleaned_data.get("subject", ""))

    def clean_body(self) -> str:
        return _visible(self.cleaned_data.get("body", ""))

    def clean_attachments(self) -> list[UploadedFile]:
        uploads: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        problems: list[str] = []
        try:
            check_count(self.held_count + len(uploads))
        except UploadRejected as error:
            raise ValidationError(error.message, code="too_many") from None
        limit = max_bytes()
        for upload in uploads:
            name = str(upload.name or "")[:200]
            data = upload.read(limit + 1)
            try:
                inspect_upload(name=name, data=data, declared_type=upload.content_type or "")
            except UploadRejected as error:
                problems.append(f"{name}: {error.message}")
                continue
            self.accepted_files.append(
                InboundAttachment(name=name, data=data, declared_type=upload.content_type or "")
            )
        if problems:
            raise ValidationError(
                [message(FormErrorCode.FILES_REJECTED), *problems], code="files_rejected"
            )
        return uploads

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or self.cleaned_data
        names = {row.key: FIELD_PREFIX + row.key for row in self.rows}
        names.update({OCCURRED_AT: "occurred_at", ERROR_MESSAGE: "error_message"})
        typed = {key: str(cleaned.get(name) or "") for key, name in names.items()}
        checked = check_answers(fields=self.rows, answers=typed)
        self._answers = checked.answers
        network = next((row.key for row in self.rows if row.kind == FieldKind.NETWORK), "")
        for problem in checked.problems:
            key = problem.key
            if problem.code == CheckCode.COIN_NOT_ON_NETWORK and network:
                # The page narrows the networks to the coin: the network is what to change.
                key = network
            self.add_error(names.get(key), ValidationError(problem.message, code=problem.code))
        return cleaned

    # --- what is sent ------------------------------------------------------------------------

    def answers(self) -> dict[str, str]:
        """The ticket's details: the per-type answers (normalized) and the basics beside them."""
        return dict(self._answers)


def _visible(text: str) -> str:
    """`text`, unless it is only blanks, controls and invisible marks (such as U+200B)."""
    if not has_visible_text(text):
        raise ValidationError(message(FormErrorCode.NOTHING_VISIBLE), code="nothing_visible")
    return text


def network_rules() -> dict[str, dict[str, Any]]:
    """What the page's script needs to narrow the networks to the coin and ask for a memo."""
    return {
        network.id: {
            "coins": list(network.coins),
            "memo": str(network.memo.name) if network.memo else "",
            "memo_required": bool(network.memo and network.memo.required),
        }
        for network in NETWORKS.values()
    }


def coin_symbols() -> list[str]:
    return sorted({coin for network in NETWORKS.values() for coin in network.coins})
