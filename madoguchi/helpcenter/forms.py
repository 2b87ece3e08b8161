"""Forms of the public pages; every field forgiving, every error message translated."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.helpcenter.services.feedback import COMMENT_MAX_LENGTH


class FeedbackForm(forms.Form):
    helpful = forms.ChoiceField(
        label=_("Was this article helpful?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        error_messages={
            "required": _("Choose yes or no."),
            "invalid_choice": _("Choose yes or no."),
        },
    )
    comment = forms.CharField(
        label=_("Anything we should add or fix? (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX_LENGTH}),
        help_text=_("Please do not write passwords, codes or personal details here."),
    )


class SearchForm(forms.Form):
    q = forms.CharField(required=False, strip=True)
    category = forms.SlugField(required=False, max_length=64)
    page = forms.IntegerField(required=False, min_value=1, max_value=100)


class PreviewForm(forms.Form):
    body = forms.CharField(required=False, strip=False, max_length=200_000)


class ImageUploadForm(forms.Form):
    # A FileField, not an ImageField: the service checks the content itself with Pillow.
    image = forms.FileField(label=_("Screenshot"))
