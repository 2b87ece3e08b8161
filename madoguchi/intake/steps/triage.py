"""Step 5: problem type, language and urgency.

Account takeover, unauthorized withdrawals, a lost second factor and a secret the customer
just revealed are security problems: urgent, for the security group, at once. A message whose
channel did not say what it is about (a mail, a chat) gets the problem type its words point to.
"""

from __future__ import annotations

import re
import unicodedata

from madoguchi.intake.inbound import InboundMessage, Triage
from madoguchi.tickets.models import Priority
from madoguchi.tickets.selectors import problem_type_by_slug

# Words customers use for the three security emergencies, in both languages (NFKC, case folded).
_SECURITY_WORDS = {
    "takeover": re.compile(
        r"乗っ取|のっと|不正ログイン|身に覚えのない(ログイン|アクセス)|勝手にログイン|"
        r"account (was )?(hacked|compromised|taken over)|account takeover|"
        r"(someone|somebody) (logged|got) in|unrecognized login|unrecognised login"
    ),
    "unauthorized_withdrawal": re.compile(
        r"不正(な)?出金|身に覚えのない出金|勝手に出金|勝手に送金|盗まれ|"
        r"unauthori[sz]ed (withdrawal|transfer)|withdrawal i did not make|"
        r"(funds|coins|crypto|money) (were |was )?stolen"
    ),
    "lost_2fa": re.compile(
        r"(二段階認証|2段階認証|二要素|2fa|認証アプリ).{0,20}(紛失|なくし|無くし|失くし|壊れ|機種変更)|"
        r"(lost|broke|reset|stolen).{0,20}(2fa|two[- ]factor|authenticator)"
    ),
}
_SECURITY_CHOICES = {"takeover", "unauthorized_withdrawal", "lost_2fa"}

# The words that name each common problem, in the order they are tried: a message about a
# withdrawal that mentions the login it needed is about the withdrawal.
_PROBLEM_WORDS = (
    ("withdrawal", re.compile(r"出金|引き?出し|送金が届|withdraw|payout")),
    ("deposit", re.compile(r"入金|着金|反映され|deposit|not credited|txid")),
    ("trading", re.compile(r"注文|約定|取引が|売買|order|trade|trading")),
    (
        "login",
        re.compile(r"ログイン|パスワード|2fa|二段階認証|認証コード|log ?in|sign ?in|password"),
    ),
    ("account", re.compile(r"本人確認|口座|登録情報|解約|kyc|verification|close my account")),
)
_LEAKED_SECRETS = {"seed_phrase", "private_key", "api_secret", "password"}


def _words(*texts: str) -> str:
    # NFKC: ２ＦＡ and ｱｶｳﾝﾄ are the same words as 2FA and アカウント.
    return unicodedata.normalize("NFKC", "\n".join(texts)).casefold()


def guess_problem_type(message: InboundMessage) -> str:
    """The problem type the subject (first) or the body points to; "other" when none does."""
    for text in (_words(message.subject), _words(message.body)):
        for slug, pattern in _PROBLEM_WORDS:
            if pattern.search(text):
                return slug
    return "other"


def security_reasons(message: InboundMessage) -> list[str]:
    text = _words(message.subject, message.body, str(message.fields.get("what_happened", "")))
    reasons = [name for name, pattern in _SECURITY_WORDS.items() if pattern.search(text)]
    if message.fields.get("what_happened") in _SECURITY_CHOICES:
        reasons.append(str(message.fields["what_happened"]))
    if _LEAKED_SECRETS & set(message.redacted_kinds):
        reasons.append("secret_revealed")
    return sorted(set(reasons))


def triage(message: InboundMessage) -> InboundMessage:
    problem_type = problem_type_by_slug(message.problem_type or guess_problem_type(message))
    slug = problem_type.slug if problem_type else ""
    priority = problem_type.default_priority if problem_type else Priority.NORMAL
    reasons = security_reasons(message)
    security = bool(reasons) or bool(problem_type and problem_type.is_security)
    if security:
        priority = Priority.URGENT
    return message.with_changes(
        triage=Triage(
            problem_type=slug,
            priority=priority,
            security=security,
            reasons=tuple(reasons),
            problem_type_id=problem_type.pk if problem_type else None,
            group_id=problem_type.group_id if problem_type else None,
            group_slug=problem_type.group.slug if problem_type and problem_type.group else "",
            response_hours=dict(problem_type.response_hours) if problem_type else {},
        )
    )
