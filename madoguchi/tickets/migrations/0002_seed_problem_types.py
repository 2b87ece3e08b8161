"""The support groups and problem types an exchange starts with; admins change them later."""

from __future__ import annotations

from typing import Any

from django.db import migrations

GROUPS = [
    ("general", "一般サポート", "General support", False),
    ("payments", "入出金サポート", "Deposits and withdrawals", False),
    ("security", "セキュリティ", "Security", True),
]

HOURS = {"urgent": 1, "high": 8, "normal": 24, "low": 72}
SECURITY_HOURS = {"urgent": 1, "high": 1, "normal": 4, "low": 24}

WHEN = ("datetime", "発生日時", "When it happened")


def field(key: str, kind: str, ja: str, en: str, required: bool = False, **extra: Any) -> dict:
    return {"key": key, "kind": kind, "label_ja": ja, "label_en": en, "required": required, **extra}


def choice(value: str, ja: str, en: str) -> dict:
    return {"value": value, "ja": ja, "en": en}


COIN = field(
    "coin",
    "coin",
    "通貨",
    "Coin",
    True,
    help_ja="例: BTC、ETH、USDT",
    help_en="For example BTC, ETH, USDT",
)
NETWORK = field("network", "network", "ネットワーク", "Network", True)
AMOUNT = field("amount", "amount", "数量", "Amount", True)

PROBLEM_TYPES = [
    {
        "slug": "deposit",
        "name_ja": "入金が反映されない",
        "name_en": "Deposit not credited",
        "description_ja": "暗号資産や日本円の入金が口座に反映されない場合。",
        "description_en": "Crypto or yen you sent has not arrived in your account.",
        "group": "payments",
        "fields": [
            COIN,
            NETWORK,
            AMOUNT,
            field(
                "txid",
                "txid",
                "トランザクションID（TxID）",
                "Transaction ID (TxID)",
                True,
                help_ja="送金元のウォレットや取引所の履歴に表示されます。",
                help_en="Shown in the history of the wallet or exchange you sent from.",
            ),
            field("deposit_address", "address", "入金アドレス", "Deposit address", True),
            field(
                "memo",
                "memo",
                "メモ／宛先タグ",
                "Memo or destination tag",
                help_ja="XRP などメモやタグが必要なネットワークの場合のみ。",
                help_en="Only for networks that need one, such as XRP.",
            ),
            field("sent_at", "datetime", "送金日時", "When you sent it", True),
        ],
    },
    {
        "slug": "withdrawal",
        "name_ja": "出金が届かない・遅れている",
        "name_en": "Withdrawal delayed",
        "description_ja": "出金申請後、送金先に届かない場合。",
        "description_en": "A withdrawal you requested has not arrived.",
        "group": "payments",
        "fields": [
            COIN,
            NETWORK,
            AMOUNT,
            field("withdrawal_id", "text", "出金ID", "Withdrawal ID"),
            field("txid", "txid", "トランザクションID（TxID）", "Transaction ID (TxID)"),
            field("destination_address", "address", "送金先アドレス", "Destination address", True),
            field("memo", "memo", "メモ／宛先タグ", "Memo or destination tag"),
            field("requested_at", "datetime", "出金申請日時", "When you requested it", True),
        ],
    },
    {
        "slug": "login",
        "name_ja": "ログインできない",
        "name_en": "Cannot log in",
        "description_ja": "パスワード、二段階認証、確認メールなどでログインできない場合。",
        "description_en": "Password, two-factor codes or confirmation emails stop you logging in.",
        "group": "general",
        "fields": [
            field(
                "what_fails",
                "choice",
                "うまくいかないこと",
                "What fails",
                True,
                choices=[
                    choice("password", "パスワードが通らない", "My password is not accepted"),
                    choice(
                        "two_factor",
                        "二段階認証コードが通らない",
                        "My two-factor code is not accepted",
                    ),
                    choice(
                        "email", "確認メールが届かない", "The confirmation email does not arrive"
                    ),
                    choice("locked", "アカウントがロックされた", "My account is locked"),
                    choice("other", "その他", "Something else"),
                ],
            ),
            field(
                "two_factor_method",
                "choice",
                "二段階認証の方法",
                "Two-factor method",
                choices=[
                    choice("app", "認証アプリ", "Authenticator app"),
                    choice("sms", "SMS", "SMS"),
                    choice("email", "メール", "Email"),
                    choice("key", "セキュリティキー", "Security key"),
                    choice("none", "設定していない", "None"),
                ],
            ),
            field("last_login", "datetime", "最後にログインできた日時", "Last successful login"),
        ],
    },
    {
        "slug": "trading",
        "name_ja": "取引ができない",
        "name_en": "Cannot trade",
        "description_ja": "注文が出せない、約定しない、エラーが表示される場合。",
        "description_en": "Orders fail, do not fill or show an error.",
        "group": "general",
        "fields": [
            field(
                "pair",
                "text",
                "通貨ペア",
                "Pair",
                True,
                help_ja="例: BTC/JPY",
                help_en="For example BTC/JPY",
            ),
            field(
                "order_type",
                "choice",
                "注文の種類",
                "Order type",
                True,
                choices=[
                    choice("market", "成行", "Market"),
                    choice("limit", "指値", "Limit"),
                    choice("stop", "逆指値", "Stop"),
                    choice("other", "その他", "Other"),
                ],
            ),
            field("order_id", "text", "注文ID", "Order ID"),
        ],
    },
    {
        "slug": "security",
        "name_ja": "アカウントのセキュリティ",
        "name_en": "Account security",
        "description_ja": "身に覚えのないログインや出金、二段階認証端末の紛失、不審な連絡。",
        "description_en": "Logins or withdrawals you do not recognise, a lost 2FA device, suspicious contact.",
        "group": "security",
        "is_security": True,
        "priority": "urgent",
        "hours": SECURITY_HOURS,
        "fields": [
            field(
                "what_happened",
                "choice",
                "何が起きましたか",
                "What happened",
                True,
                choices=[
                    choice(
                        "takeover",
                        "身に覚えのないログイン・設定変更",
                        "A login or change I do not recognise",
                    ),
                    choice(
                        "unauthorized_withdrawal",
                        "身に覚えのない出金",
                        "A withdrawal I did not make",
                    ),
                    choice("lost_2fa", "二段階認証の端末を紛失した", "I lost my two-factor device"),
                    choice(
                        "phishing",
                        "偽サイト・偽メール・偽サポート",
                        "A fake site, email or support account",
                    ),
                    choice("other", "その他", "Something else"),
                ],
            ),
            field(
                "unrecognised_activity",
                "textarea",
                "身に覚えのない操作（日時・内容）",
                "Activity you do not recognise (when, what)",
            ),
        ],
    },
    {
        "slug": "account",
        "name_ja": "口座・本人確認",
        "name_en": "Account and verification",
        "description_ja": "本人確認、登録情報の変更、口座の解約など。",
        "description_en": "Identity verification, changing your details, closing the account.",
        "group": "general",
        "fields": [
            field(
                "topic",
                "choice",
                "内容",
                "Topic",
                True,
                choices=[
                    choice("kyc", "本人確認", "Identity verification"),
                    choice("details", "登録情報の変更", "Changing my details"),
                    choice("closure", "口座の解約", "Closing my account"),
                    choice("other", "その他", "Something else"),
                ],
            ),
        ],
    },
    {
        "slug": "other",
        "name_ja": "その他",
        "name_en": "Something else",
        "description_ja": "上のどれにも当てはまらないご相談。",
        "description_en": "Anything the other types do not cover.",
        "group": "general",
        "fields": [],
    },
]


def seed(apps: Any, schema_editor: Any) -> None:
    SupportGroup = apps.get_model("tickets", "SupportGroup")
    ProblemType = apps.get_model("tickets", "ProblemType")
    ProblemField = apps.get_model("tickets", "ProblemField")
    groups = {}
    for slug, ja, en, security in GROUPS:
        groups[slug], _created = SupportGroup.objects.get_or_create(
            slug=slug, defaults={"name_ja": ja, "name_en": en, "handles_security": security}
        )
    for position, spec in enumerate(PROBLEM_TYPES):
        problem_type, created = ProblemType.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "name_ja": spec["name_ja"],
                "name_en": spec["name_en"],
                "description_ja": spec["description_ja"],
                "description_en": spec["description_en"],
                "position": position * 10,
                "is_security": spec.get("is_security", False),
                "default_priority": spec.get("priority", "normal"),
                "group": groups[spec["group"]],
                "response_hours": spec.get("hours", HOURS),
            },
        )
        if not created:
            continue
        for index, spec_field in enumerate(spec["fields"]):
            ProblemField.objects.create(
                problem_type=problem_type, position=index * 10, **spec_field
            )


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
