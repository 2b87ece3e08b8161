"""Forms of the customer's own requests: a reply with files, and the satisfaction rating.

The reply form runs the checks intake would run (text normalization, the blank and length
rules, the attachment content checks) so that a refusal is a clear error beside the field,
with the typed text still in it, instead of a message held or quarantined later.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from madoguchi.intake.inbound import InboundAttachment
from madoguchi.support.forms import MultipleFileField, MultipleFileInput
from madoguchi.tickets.errors import TicketError
from madoguchi.tickets.services.conversation import MAX_BODY_CHARS, checked_body
from madoguchi.tickets.services.workflow import CSAT_COMMENT_CHARS
from madoguchi.tickets.text import clean_text
from madoguchi.tickets.uploads import UploadRejected, check_count, inspect_upload, max_bytes

ACCEPTED_FILES = "image/png,image/jpeg,image/webp,image/heic,.heic,application/pdf,text/csv,.csv"

RATINGS = (
    (5, _("5 – Very satisfied")),
    (4, _("4 – Satisfied")),
    (3, _("3 – Neither satisfied nor dissatisfied")),
    (2, _("2 – Dissatisfied")),
    (1, _("1 – Very dissatisfied")),
)


def _is_blank(text: str) -> bool:
    return not clean_text(text).strip()


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        required=False,
        strip=False,  # intake trims; the form hands over exactly what was typed
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    attachments = MultipleFileField(
        label=_("Attach files"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPTED_FILES}),
        help_text=_("Screenshots (PNG, JPEG, WebP, HEIC), PDF or CSV transaction history."),
    )

    def clean_body(self) -> str:
        body: str = self.cleaned_data.get("body") or ""
        if _is_blank(body):
            return ""
        # The same text and rules intake applies, so nothing the form accepts is refused later.
        try:
            checked_body(clean_text(body))
        except TicketError as error:
            raise forms.ValidationError(error.message, code=str(error.code)) from None
        return body

    def clean_attachments(self) -> list[InboundAttachment]:
        uploads: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        try:
            check_count(len(uploads))
        except UploadRejected as error:
            raise forms.ValidationError(error.message, code=str(error.code)) from None
        accepted: list[InboundAttachment] = []
        problems: list[forms.ValidationError] = []
        for upload in uploads:
            name = str(upload.name or "")
            # One byte past the limit is enough for inspect_upload to call the file too large.
            data = upload.read(max_bytes() + 1)
            try:
                inspect_upload(name=name, data=data, declared_type=upload.content_type or "")
            except UploadRejected as error:
                problems.append(
                    forms.ValidationError(
                        _("“%(name)s”: %(reason)s"),
                        code=str(error.code),
                        params={"name": name[:200], "reason": error.message},
                    )
                )
                continue
            accepted.append(
                InboundAttachment(name=name, data=data, declared_type=upload.content_type or "")
            )
        if problems:
            raise forms.ValidationError(problems)
        return accepted

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        if not cleaned.get("body") and not cleaned.get("attachments"):
            raise forms.ValidationError(
                _("Please write a message or attach a file."), code="empty_message"
            )
        return cleaned


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How satisfied are you with our support on this request?"),
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose a rating from 1 to 5."),
            "invalid_choice": _("Please choose a rating from 1 to 5."),
        },
    )
    comment = forms.CharField(
        label=_("Anything you would like to tell us (optional)"),
        required=False,
        max_length=CSAT_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
