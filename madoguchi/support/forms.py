"""The support form: the basics every request needs, then the fields of its problem type.

The per-type fields are built from the `ProblemField` rows on every request, so a change an
admin makes shows at once. Crypto fields are checked against the chosen network with
`madoguchi.tickets.networks`; the value kept is the normalized one (an EIP-55 checksummed
address, a lower-case TxID). Attachments are checked here by content, before anything is
sent, so a refused file is named next to the field instead of silently left out.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from madoguchi.intake.inbound import InboundAttachment
from madoguchi.support.errors import FormErrorCode, message
from madoguchi.support.rendering import RENDERER
from madoguchi.tickets.models import FieldKind, ProblemField, ProblemType
from madoguchi.tickets.networks import (
    NETWORKS,
    CheckCode,
    Network,
    check_coin_on_network,
    check_memo,
    get_network,
    validate_address,
    validate_txid,
)
from madoguchi.tickets.uploads import UploadRejected, check_count, inspect_upload, max_bytes

# Per-type answers are named `q_<key>` on the page, so no key an admin picks can collide
# with a basic field; the ticket stores them under `<key>`.
FIELD_PREFIX = "q_"
# Keys of the basics in the ticket's details, next to the per-type answers.
OCCURRED_AT = "occurred_at"
ERROR_MESSAGE = "error_message"

SUBJECT_MAX = 200
BODY_MAX = 20_000
TEXT_MAX = 500
TEXTAREA_MAX = 5_000
PASTED_MAX = 1_000  # addresses, TxIDs: the checker names anything longer "too long"
# Customers abroad type their own clock time; a day of slack keeps them from being refused.
FUTURE_SLACK = timedelta(days=1)

_PASTED = {
    "autocomplete": "off",
    "autocapitalize": "off",
    "autocorrect": "off",
    "spellcheck": "false",
    "class": "mono",
}
_NUMBER = re.compile(r"[0-9]{1,30}(?:\.[0-9]{1,30})?")
_COIN = re.compile(r"[A-Z0-9]{1,15}")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class PastDateTimeField(forms.DateTimeField):
    """A moment in the past, typed in the site's time zone; datetime-local or 2024/05/01 10:30."""

    input_formats = ["%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d"]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DateTimeLocalInput())
        super().__init__(**kwargs)

    def validate(self, value: datetime | None) -> None:
        super().validate(value)
        if value is not None and value > timezone.now() + FUTURE_SLACK:
            raise ValidationError(message(FormErrorCode.IN_THE_FUTURE), code="in_the_future")


class AmountField(forms.CharField):
    """A positive amount; full-width digits and thousands separators are accepted."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return ""
        folded = unicodedata.normalize("NFKC", text)
        folded = re.sub(r"[\s,_']", "", folded)
        if not _NUMBER.fullmatch(folded):
            raise ValidationError(message(FormErrorCode.BAD_AMOUNT), code="bad_amount")
        try:
            amount = Decimal(folded)
        except InvalidOperation:
            raise ValidationError(message(FormErrorCode.BAD_AMOUNT), code="bad_amount") from None
        if amount <= 0:
            raise ValidationError(message(FormErrorCode.BAD_AMOUNT), code="bad_amount")
        return format(amount.normalize(), "f")


class CoinField(forms.CharField):
    """A ticker symbol, upper-cased; full-width letters are folded."""

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return ""
        symbol = unicodedata.normalize("NFKC", text).strip().upper()
        if not _COIN.fullmatch(symbol):
            raise ValidationError(message(FormErrorCode.BAD_COIN), code="bad_coin")
        return symbol


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data]
        cleaned = [super(MultipleFileField, self).clean(item, initial) for item in items if item]
        return [item for item in cleaned if item]


def _choices(row: ProblemField) -> list[tuple[str, str]]:
    language = (translation.get_language() or "ja")[:2]
    options: list[tuple[str, str]] = [("", str(_("Choose…")))]
    entries = row.choices if isinstance(row.choices, list) else []
    for entry in entries:
        if isinstance(entry, dict) and str(entry.get("value", "")):
            value = str(entry["value"])
            label = entry.get(language) or entry.get("ja") or entry.get("en") or value
            options.append((value, str(label)))
        elif isinstance(entry, str) and entry:
            options.append((entry, entry))
    return options


def network_choices() -> list[tuple[str, str]]:
    return [("", str(_("Choose…")))] + [(n.id, n.name) for n in NETWORKS.values()]


def field_for(row: ProblemField) -> forms.Field:
    """The form field that asks `row`'s question, by its kind."""
    common: dict[str, Any] = {
        "label": row.label,
        "help_text": row.help,
        "required": row.required,
    }
    kind = row.kind
    check = {"data-check": kind, "data-field-key": row.key}
    if kind == FieldKind.TEXTAREA:
        return forms.CharField(
            max_length=TEXTAREA_MAX,
            widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXTAREA_MAX}),
            **common,
        )
    if kind == FieldKind.DATETIME:
        return PastDateTimeField(**common)
    if kind == FieldKind.CHOICE:
        return forms.ChoiceField(choices=_choices(row), **common)
    if kind == FieldKind.NETWORK:
        return forms.ChoiceField(
            choices=network_choices(), widget=forms.Select(attrs=check), **common
        )
    if kind == FieldKind.AMOUNT:
        attrs = {"inputmode": "decimal", "autocomplete": "off", "maxlength": 64, **check}
        return AmountField(max_length=64, widget=forms.TextInput(attrs=attrs), **common)
    if kind == FieldKind.COIN:
        attrs = {**_PASTED, "autocapitalize": "characters", "list": "coin-symbols", **check}
        return CoinField(max_length=20, widget=forms.TextInput(attrs=attrs), **common)
    if kind in (FieldKind.ADDRESS, FieldKind.TXID, FieldKind.MEMO):
        longest = 200 if kind == FieldKind.MEMO else PASTED_MAX
        attrs = {**_PASTED, "maxlength": longest, **check}
        return forms.CharField(max_length=longest, widget=forms.TextInput(attrs=attrs), **common)
    return forms.CharField(
        max_length=TEXT_MAX,
        widget=forms.TextInput(attrs={"maxlength": TEXT_MAX}),
        **common,
    )


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
    occurred_at = PastDateTimeField(label=_("When it happened"), required=False)
    error_message = forms.CharField(
        label=_("Error message"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 2_000}),
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
        self._check_crypto(cleaned)
        return cleaned

    def _rows_of(self, *kinds: str) -> list[ProblemField]:
        return [row for row in self.rows if row.kind in kinds]

    def _value(self, row: ProblemField) -> str:
        return str(self.cleaned_data.get(FIELD_PREFIX + row.key) or "")

    def _check_crypto(self, cleaned: dict[str, Any]) -> None:
        """Addresses, TxIDs, coins and memos against the (first) network field of the type."""
        network_rows = self._rows_of(FieldKind.NETWORK)
        pasted = self._rows_of(FieldKind.ADDRESS, FieldKind.TXID, FieldKind.MEMO, FieldKind.COIN)
        if not network_rows or not pasted:
            return
        network_name = FIELD_PREFIX + network_rows[0].key
        if network_name in self.errors:
            return
        network = get_network(self._value(network_rows[0]))
        if network is None:
            typed = [row for row in pasted if row.kind != FieldKind.COIN and self._value(row)]
            if typed:
                self.add_error(network_name, message(FormErrorCode.NETWORK_NEEDED))
            return
        for row in self._rows_of(FieldKind.COIN):
            coin = self._value(row)
            if coin:
                result = check_coin_on_network(coin, network)
                if not result.valid:
                    self.add_error(network_name, result.message)
        address = ""
        for row in self._rows_of(FieldKind.ADDRESS, FieldKind.TXID):
            name = FIELD_PREFIX + row.key
            value = self._value(row)
            if not value or name in self.errors:
                continue
            check = validate_address if row.kind == FieldKind.ADDRESS else validate_txid
            result = check(network, value)
            if not result.valid or result.normalized is None:
                self.add_error(name, result.message)
                continue
            cleaned[name] = result.normalized
            if row.kind == FieldKind.ADDRESS and not address:
                address = result.normalized
        for row in self._rows_of(FieldKind.MEMO):
            self._check_memo(cleaned, row, network, address)

    def _check_memo(
        self, cleaned: dict[str, Any], row: ProblemField, network: Network, address: str
    ) -> None:
        name = FIELD_PREFIX + row.key
        if name in self.errors:
            return
        typed = self._value(row)
        result = check_memo(network, typed, address=address)
        if not result.valid:
            self.add_error(name, result.message)
        elif result.code is CheckCode.MEMO_NOT_USED:
            cleaned[name] = typed  # not needed there, but what the customer wrote is kept
        else:
            cleaned[name] = result.normalized or ""

    # --- what is sent ------------------------------------------------------------------------

    def answers(self) -> dict[str, str]:
        """The ticket's details: the per-type answers (normalized) and the basics beside them."""
        details: dict[str, str] = {}
        occurred = self.cleaned_data.get("occurred_at")
        if occurred:
            details[OCCURRED_AT] = _moment(occurred)
        if self.cleaned_data.get("error_message"):
            details[ERROR_MESSAGE] = self.cleaned_data["error_message"]
        for row in self.rows:
            value = self.cleaned_data.get(FIELD_PREFIX + row.key)
            if isinstance(value, datetime):
                details[row.key] = _moment(value)
            elif value:
                details[row.key] = str(value)
        return details


def _visible(text: str) -> str:
    """`text`, unless it is only blanks, controls and invisible marks (such as U+200B)."""
    if not any(not unicodedata.category(char).startswith(("Z", "C")) for char in text):
        raise ValidationError(message(FormErrorCode.NOTHING_VISIBLE), code="nothing_visible")
    return text


def _moment(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="minutes")


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
