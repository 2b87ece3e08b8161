"""How often one client address or one email may use the support form: its budgets.

The counting is madoguchi.safety.rate_limits' (a sliding window in the shared cache, so every
web worker counts the same requests). Limits come from settings as `count/period` (`10/h`,
`60/m`, `5/15m`).
"""

from __future__ import annotations

from django.http import HttpRequest

from madoguchi.safety.rate_limits import client_address, configured_rate, hit

# Tickets filed per client address and per email address.
SUBMIT_RATE_SETTING = "MADOGUCHI_SUPPORT_FORM_RATE"
SUBMIT_RATE_DEFAULT = "10/h"
# Every post of the form, failed ones included: they may hold files server-side.
ATTEMPT_RATE_SETTING = "MADOGUCHI_SUPPORT_FORM_ATTEMPT_RATE"
ATTEMPT_RATE_DEFAULT = "30/h"
# Article suggestions while typing, and "this solved my problem".
SUGGEST_RATE_SETTING = "MADOGUCHI_SUPPORT_SUGGEST_RATE"
SUGGEST_RATE_DEFAULT = "120/m"
DEFLECTION_RATE_SETTING = "MADOGUCHI_SUPPORT_DEFLECTION_RATE"
DEFLECTION_RATE_DEFAULT = "30/h"


def limit_submission(request: HttpRequest, *, email: str) -> int | None:
    """Count one filed ticket by address and by email; seconds to wait when either is over."""
    rate = configured_rate(SUBMIT_RATE_SETTING, SUBMIT_RATE_DEFAULT)
    wait = hit(scope="submit-ip", ident=client_address(request), rate=rate)
    if wait is not None:
        return wait
    return hit(scope="submit-email", ident=email.strip().casefold(), rate=rate)
