"""Forms for the pages where people manage their own account (beside allauth's)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts import services
from madoguchi.accounts.errors import AccountError


class AntiPhishingCodeForm(forms.Form):
    code = forms.CharField(
        label=_("New anti-phishing code"),
        # Room for full-width input, which NFKC folds; the service checks the real length.
        max_length=services.ANTI_PHISHING_CODE_MAX * 2,
        help_text=_("4 to 20 letters, digits, kana or kanji. Not your password or a web address."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_code(self) -> str:
        try:
            return services.clean_anti_phishing_code(self.cleaned_data["code"])
        except AccountError as error:
            raise forms.ValidationError(error.message, code=error.code.value) from error
