"""Seed the registry with the channels of the fictional demo exchange, Tsukimi Exchange."""

from django.db import migrations

DEMO_CHANNELS = (
    ("domain", "", "tsukimi.example", "Main site"),
    ("domain", "", "www.tsukimi.example", "Main site"),
    ("mail_sender", "", "support@tsukimi.example", "Support replies"),
    ("social_handle", "x", "tsukimi_exchange", "Announcements"),
    ("social_handle", "telegram", "tsukimi_exchange", "Announcements"),
)


def seed(apps, schema_editor):
    OfficialChannel = apps.get_model("safety", "OfficialChannel")
    for kind, platform, value, note in DEMO_CHANNELS:
        OfficialChannel.objects.get_or_create(
            kind=kind, platform=platform, value=value, defaults={"note": note}
        )


def unseed(apps, schema_editor):
    OfficialChannel = apps.get_model("safety", "OfficialChannel")
    for kind, platform, value, _note in DEMO_CHANNELS:
        OfficialChannel.objects.filter(kind=kind, platform=platform, value=value).delete()


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
