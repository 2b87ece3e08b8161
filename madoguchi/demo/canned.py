"""Demo canned replies of Tsukimi Exchange, in Japanese and English, with placeholders: one for
every group, one for payments and one for security, as an admin would set them up."""

from __future__ import annotations

from dataclasses import dataclass

from madoguchi.tickets.models import CannedReply, SupportGroup


@dataclass(frozen=True)
class DemoCannedReply:
    title: str
    shortcut: str
    group: str | None  # a group's slug; None: every group
    body_ja: str
    body_en: str


DEMO_CANNED_REPLIES = (
    DemoCannedReply(
        title="受付のご連絡 / We are on it",
        shortcut="ack",
        group=None,
        body_ja=(
            "{customer_name}\n\n"
            "お問い合わせ（#{ticket_id}）ありがとうございます。担当の{agent_name}です。\n"
            "内容を確認のうえ、あらためてご連絡いたします。進捗は次のページでもご確認いただけます。\n"
            "{ticket_url}"
        ),
        body_en=(
            "Dear {customer_name},\n\n"
            "Thank you for your request #{ticket_id}. I am {agent_name} and will look into it "
            "and get back to you. You can follow it here:\n{ticket_url}"
        ),
    ),
    DemoCannedReply(
        title="入金の承認待ち / Deposit waiting for confirmations",
        shortcut="deposit-confirmations",
        group="payments",
        body_ja=(
            "{customer_name}\n\n"
            "ご入金はブロックチェーン上で必要な承認数に達したあと、口座に反映されます。"
            "TxIDをお知らせいただければ、こちらで状況を確認いたします。\n\n{agent_name}"
        ),
        body_en=(
            "Dear {customer_name},\n\n"
            "A deposit is credited once it has the confirmations its network needs. If you send "
            "us the TxID, we will check where it is.\n\n{agent_name}"
        ),
    ),
    DemoCannedReply(
        title="出金を一時停止しました / Withdrawals paused",
        shortcut="security-freeze",
        group="security",
        body_ja=(
            "{customer_name}\n\n"
            "安全のため、お客様のアカウントからの出金を一時停止しました。"
            "当社がパスワード、二段階認証コード、復元フレーズをお尋ねすることはありません。\n\n"
            "{agent_name}"
        ),
        body_en=(
            "Dear {customer_name},\n\n"
            "To keep your funds safe, withdrawals from your account are paused for now. We will "
            "never ask for your password, two-factor codes or recovery phrase.\n\n{agent_name}"
        ),
    ),
)


def load_demo_canned_replies() -> int:
    """Create the demo canned replies once (by title); returns how many were created."""
    groups = {group.slug: group for group in SupportGroup.objects.all()}
    made = 0
    for demo in DEMO_CANNED_REPLIES:
        if demo.group is not None and demo.group not in groups:
            continue
        _, created = CannedReply.objects.get_or_create(
            title=demo.title,
            defaults={
                "shortcut": demo.shortcut,
                "group": groups[demo.group] if demo.group else None,
                "body_ja": demo.body_ja,
                "body_en": demo.body_en,
            },
        )
        made += created
    return made
