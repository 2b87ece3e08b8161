"""The kinds of secret the guard redacts: placeholder names and reasons told to the customer."""

from __future__ import annotations

from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SecretKind(StrEnum):
    SEED_PHRASE = "seed_phrase"
    PRIVATE_KEY = "private_key"
    TWO_FACTOR_CODE = "two_factor_code"
    PASSWORD = "password"  # noqa: S105 - the name of a kind, not a password
    API_SECRET = "api_secret"  # noqa: S105 - the name of a kind, not a secret
    CARD_NUMBER = "card_number"
    MY_NUMBER = "my_number"

    @property
    def label(self) -> str:
        return str(LABELS[self])

    @property
    def reason(self) -> str:
        return str(REASONS[self])


# Short names, used inside the placeholder that replaces the secret.
LABELS: dict[SecretKind, Promise] = {
    SecretKind.SEED_PHRASE: pgettext_lazy("secret kind", "seed phrase"),
    SecretKind.PRIVATE_KEY: pgettext_lazy("secret kind", "private key"),
    SecretKind.TWO_FACTOR_CODE: pgettext_lazy("secret kind", "2FA code"),
    SecretKind.PASSWORD: pgettext_lazy("secret kind", "password"),
    SecretKind.API_SECRET: pgettext_lazy("secret kind", "API secret"),
    SecretKind.CARD_NUMBER: pgettext_lazy("secret kind", "card number"),
    SecretKind.MY_NUMBER: pgettext_lazy("secret kind", "My Number"),
}

REASONS: dict[SecretKind, Promise] = {
    SecretKind.SEED_PHRASE: _(
        "A seed phrase (recovery words) was removed: anyone who reads it can take every coin "
        "in the wallet. Support staff never need it."
    ),
    SecretKind.PRIVATE_KEY: _(
        "A private key was removed: anyone who reads it controls the funds it holds. "
        "Support staff never need it."
    ),
    SecretKind.TWO_FACTOR_CODE: _(
        "A two-factor authentication code was removed: never share these codes with anyone, "
        "support staff included."
    ),
    SecretKind.PASSWORD: _(
        "A password was removed: support staff never ask for it. If you have shared it "
        "anywhere, change it now."
    ),
    SecretKind.API_SECRET: _(
        "An API secret was removed: it lets anyone trade with your account. Delete that API key "
        "and create a new one."
    ),
    SecretKind.CARD_NUMBER: _(
        "A payment card number was removed: support never needs the full number."
    ),
    SecretKind.MY_NUMBER: _(
        "An Individual Number (My Number) was removed: send it only through the identity "
        "verification screen, never in a message."
    ),
}
