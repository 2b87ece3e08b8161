"""Demo tickets of Tsukimi Exchange, sent through intake like any customer's message.

They show what agents meet: a deposit with a TxID and a screenshot, an account takeover that
goes to the security group, a look-alike link, a pasted recovery phrase, an English request,
and a solved and rated one; and two routing rules that apply to them (the English lost-2FA
request is tagged but stays with the security group; the VIP customer's later tickets are high).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from PIL import Image, ImageDraw

from madoguchi import intake
from madoguchi.intake.inbound import InboundAttachment, InboundMessage
from madoguchi.tickets import services
from madoguchi.tickets.models import Priority, RoutingRule, Status, SupportGroup, Ticket

# A recovery phrase from the BIP-39 test vectors: it holds nothing, it only shows the guard.
TEST_VECTOR_PHRASE = "legal winner thank year wave sausage worth useful legal winner thank yellow"


@dataclass(frozen=True)
class DemoTicket:
    subject: str
    body: str
    problem_type: str
    language: str = "ja"
    fields: dict[str, str] = field(default_factory=dict)
    screenshot: bool = False
    reply: str = ""
    solved_rating: int | None = None
    # What the exchange's systems attach once the ticket is in (routing rules read the tier).
    account_context: dict[str, str] = field(default_factory=dict)


DEMO_TICKETS = (
    DemoTicket(
        subject="BTCの入金が反映されません",
        body=(
            "11月20日の21時ごろ、他社のウォレットからBTCを送金しました。"
            "送金元では承認済みになっていますが、口座に反映されていません。"
            "送金履歴のスクリーンショットを添付します。"
        ),
        problem_type="deposit",
        fields={
            "coin": "BTC",
            "network": "BTC",
            "amount": "0.015",
            "txid": "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b",
            "deposit_address": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "sent_at": "2026-11-20T21:05+09:00",
        },
        screenshot=True,
        account_context={"tier": "vip", "kyc": "verified"},
    ),
    DemoTicket(
        subject="身に覚えのないログインがありました",
        body=(
            "今朝、知らない端末からのログイン通知メールが届きました。"
            "アカウントが乗っ取られたかもしれません。出金を止めてください。"
        ),
        problem_type="security",
        fields={"what_happened": "takeover"},
    ),
    DemoTicket(
        subject="サポートを名乗るDMについて",
        body=(
            "Xで「月見取引所サポート」からDMが来て、https://tsukimi-support.example.com/login "
            "で本人確認をするよう言われました。これは公式ですか？"
        ),
        problem_type="security",
        fields={"what_happened": "phishing"},
    ),
    DemoTicket(
        subject="出金が届きません",
        body=(
            "ETHの出金が6時間たっても届きません。念のため復元フレーズも書いておきます: "
            f"{TEST_VECTOR_PHRASE}"
        ),
        problem_type="withdrawal",
        fields={
            "coin": "ETH",
            "network": "ETH",
            "amount": "1.2",
            "destination_address": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "requested_at": "2026-11-24T10:30+09:00",
        },
    ),
    DemoTicket(
        subject="I lost the phone with my authenticator app",
        body="My phone was stolen yesterday and I can no longer log in. Please help.",
        problem_type="login",
        language="en",
        fields={"what_fails": "two_factor", "two_factor_method": "app"},
    ),
    DemoTicket(
        subject="指値注文が出せません",
        body="BTC/JPYで指値注文をすると「残高不足」と表示されますが、残高は足りています。",
        problem_type="trading",
        fields={"pair": "BTC/JPY", "order_type": "limit"},
        reply=(
            "お問い合わせありがとうございます。注文中の他の指値注文に残高が拘束されていました。"
            "注文一覧から不要な注文を取り消すと発注できます。"
        ),
        solved_rating=5,
    ),
)


def screenshot_png() -> bytes:
    """A small made-up picture of a wallet's history, as a customer would attach."""
    image = Image.new("RGB", (480, 200), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 479, 36), fill=(40, 60, 120))
    draw.text((12, 12), "Wallet - Transaction history", fill="white")
    draw.text((12, 60), "Sent 0.015 BTC   2026-11-20 21:05   Confirmed", fill="black")
    draw.text((12, 90), "TxID 4a5e1e4b...deda33b", fill=(90, 90, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def load_demo_tickets(*, customer: Any, agent: Any) -> int:
    """Send the demo tickets as `customer` and answer one as `agent`; once only."""
    if Ticket.objects.filter(customer=customer).exists():
        return 0
    made = 0
    for demo in DEMO_TICKETS:
        attachments = (
            (InboundAttachment("wallet-history.png", screenshot_png(), "image/png"),)
            if demo.screenshot
            else ()
        )
        outcome = intake.receive(
            InboundMessage(
                channel="web",
                subject=demo.subject,
                body=demo.body,
                sender_email=customer.email,
                customer_id=customer.pk,
                email_verified=True,
                problem_type=demo.problem_type,
                language=demo.language,
                fields=demo.fields,
                attachments=attachments,
            )
        )
        if outcome.ticket_id is None:
            continue
        made += 1
        ticket = Ticket.objects.get(pk=outcome.ticket_id)
        if demo.account_context:
            services.attach_account_context(ticket=ticket, context=demo.account_context, by=None)
        if demo.reply:
            with transaction.atomic():
                services.assign_ticket(ticket=ticket, assignee=agent, by=agent)
                services.add_agent_reply(
                    ticket=ticket, body=demo.reply, by=agent, status=Status.SOLVED
                )
        if demo.solved_rating is not None:
            services.rate_ticket(ticket=ticket, rating=demo.solved_rating, by=customer)
    return made


def load_demo_rules() -> int:
    """Two routing rules to show in the admin: English requests tagged for the English-speaking
    desk, VIP customers first. Created once; returns how many were created."""
    general = SupportGroup.objects.filter(slug="general").first()
    rules = (
        (
            "English requests: English-speaking desk",
            {
                "position": 10,
                "languages": ["en"],
                "set_group": general,
                "add_tags": ["english"],
                "stop": False,
            },
        ),
        (
            "VIP customers: high priority",
            {"position": 20, "customer_tiers": ["vip"], "set_priority": Priority.HIGH},
        ),
    )
    return sum(
        RoutingRule.objects.get_or_create(name=name, defaults=values)[1] for name, values in rules
    )


def join_every_group(agent: Any) -> None:
    for group in SupportGroup.objects.all():
        group.members.add(agent)
