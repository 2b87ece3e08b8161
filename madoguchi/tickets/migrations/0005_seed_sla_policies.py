"""The business hours and SLA policies an exchange in Japan starts with; admins change them later.

The Tokyo office works Monday to Friday, 9:00-18:00 Japan time, closed on national holidays and
from 12/31 to 1/3. Urgent tickets and every security problem count around the clock. The other
first-response targets mirror what the problem types promise customers (`response_hours`, read
as business days: 24 h is one business day of nine hours, 72 h three, 8 h eight business hours).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

OFFICE = [["09:00", "18:00"]]
TOKYO_OFFICE = {
    "name": "Tokyo office",
    "time_zone": "Asia/Tokyo",
    "weekly_hours": {"mon": OFFICE, "tue": OFFICE, "wed": OFFICE, "thu": OFFICE, "fri": OFFICE},
    "holiday_country": "JP",
    "closed_dates": [],
    "closed_every_year": ["12-31", "01-01", "01-02", "01-03"],
}

HOUR = 60
BUSINESS_DAY = 9 * HOUR

# (name_ja, name_en, problem type slug or None, priority or "", office hours?, first, next,
#  resolution, warn before, escalate to priority); minutes.
POLICIES = [
    ("セキュリティ (24時間)", "Security (around the clock)", "security", "", False,
     HOUR, HOUR, 24 * HOUR, 15, "urgent"),
    ("緊急 (24時間)", "Urgent (around the clock)", None, "urgent", False,
     HOUR, 2 * HOUR, 8 * HOUR, 15, ""),
    ("高", "High", None, "high", True,
     8 * HOUR, 4 * HOUR, 3 * BUSINESS_DAY, 60, "urgent"),
    ("通常", "Normal", None, "normal", True,
     BUSINESS_DAY, BUSINESS_DAY, 5 * BUSINESS_DAY, 60, "high"),
    ("低", "Low", None, "low", True,
     3 * BUSINESS_DAY, 3 * BUSINESS_DAY, 10 * BUSINESS_DAY, 120, "normal"),
]  # fmt: skip


def seed(apps: Any, schema_editor: Any) -> None:
    BusinessHours = apps.get_model("tickets", "BusinessHours")
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    ProblemType = apps.get_model("tickets", "ProblemType")
    office, _created = BusinessHours.objects.get_or_create(
        name=TOKYO_OFFICE["name"], defaults=TOKYO_OFFICE
    )
    for position, spec in enumerate(POLICIES, start=1):
        name_ja, name_en, slug, priority, in_office, first, following, resolution, warn, up = spec
        problem_type = ProblemType.objects.filter(slug=slug).first() if slug else None
        if slug and problem_type is None:
            continue  # an admin removed the problem type before this ran
        SlaPolicy.objects.get_or_create(
            name_en=name_en,
            defaults={
                "name_ja": name_ja,
                "position": position * 10,
                "problem_type": problem_type,
                "priority": priority,
                "business_hours": office if in_office else None,
                "first_response_minutes": first,
                "next_response_minutes": following,
                "resolution_minutes": resolution,
                "warn_before_minutes": warn,
                "escalate_to_priority": up,
                "notify_on_breach": True,
            },
        )


def unseed(apps: Any, schema_editor: Any) -> None:
    SlaPolicy = apps.get_model("tickets", "SlaPolicy")
    BusinessHours = apps.get_model("tickets", "BusinessHours")
    SlaPolicy.objects.filter(name_en__in=[spec[1] for spec in POLICIES]).delete()
    BusinessHours.objects.filter(name=TOKYO_OFFICE["name"], policies__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0004_agent_console")]
    operations = [migrations.RunPython(seed, unseed)]
