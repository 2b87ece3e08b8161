"""Writing troubleshooting guides: a guide is saved whole, checked, and reindexed on commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from madoguchi.helpcenter.documents import GUIDE, guide_document
from madoguchi.helpcenter.errors import HelpCenterError, HelpCenterErrorCode
from madoguchi.helpcenter.guide_files import GuideDefinition, check_paths
from madoguchi.helpcenter.models import (
    Category,
    Guide,
    GuideChoice,
    GuideStep,
    Status,
    other_locale,
)
from madoguchi.search.services import index_documents, remove_document


def reindex_guides_on_commit(guides: Iterable[Guide]) -> None:
    pks = [guide.pk for guide in guides]

    def push() -> None:
        # Read back after commit: the document lists every step and choice as saved.
        fresh = (
            Guide.objects.filter(pk__in=pks)
            .select_related("category", "translation")
            .prefetch_related("steps__choices")
        )
        found = {guide.pk: guide for guide in fresh}
        visible = [guide_document(g) for g in found.values() if g.status == Status.PUBLISHED]
        if visible:
            index_documents(visible)
        for pk in pks:
            if pk not in found or found[pk].status != Status.PUBLISHED:
                remove_document(type=GUIDE, id=pk)

    transaction.on_commit(push)


def save_guide(*, definition: GuideDefinition) -> Guide:
    """Create or replace the guide (slug, locale) with exactly the steps of `definition`.

    Links the translation when the other-language guide named by `translation_of` exists
    (the second of a pair to be saved makes the link). Raises HelpCenterError(GUIDE_INVALID)
    with the reasons when a path does not end or the category is unknown.
    """
    problems = check_paths(definition)
    category = Category.objects.filter(slug=definition.category).first()
    if category is None:
        problems.append(_("unknown category “%(slug)s”") % {"slug": definition.category})
    if problems or category is None:
        raise HelpCenterError(HelpCenterErrorCode.GUIDE_INVALID, problems)
    with transaction.atomic():
        guide = Guide.objects.filter(slug=definition.slug, locale=definition.locale).first()
        if guide is None:
            guide = Guide(slug=definition.slug, locale=definition.locale)
        guide.title = definition.title
        guide.summary = definition.summary
        guide.category = category
        guide.problem_type = definition.problem_type
        guide.status = definition.status
        guide.start_step = None
        guide.full_clean(exclude=["translation", "start_step"])
        guide.save()
        guide.steps.all().delete()
        steps = GuideStep.objects.bulk_create(
            GuideStep(
                guide=guide,
                key=step.key,
                kind=step.kind,
                title=step.title,
                body=step.body,
                position=position,
            )
            for position, step in enumerate(definition.steps)
        )
        by_key = {step.key: step for step in steps}
        GuideChoice.objects.bulk_create(
            GuideChoice(
                step=by_key[step.key],
                label=choice.label,
                next_step=by_key[choice.next],
                position=position,
            )
            for step in definition.steps
            for position, choice in enumerate(step.choices)
        )
        guide.start_step = by_key[definition.start]
        guide.save(update_fields=["start_step", "updated_at"])
        if definition.translation_of:
            other = Guide.objects.filter(
                slug=definition.translation_of, locale=other_locale(definition.locale)
            ).first()
            if other is not None:
                link_guide_translations(guide=guide, translation=other)
        reindex_guides_on_commit([guide])
        return guide


def set_guide_status(*, guide: Guide, status: str) -> Guide:
    with transaction.atomic():
        guide.status = status
        guide.save(update_fields=["status", "updated_at"])
        reindex_guides_on_commit([guide])
        return guide


def delete_guide(*, guide: Guide) -> None:
    with transaction.atomic():
        pk = guide.pk
        Guide.objects.filter(translation=guide).update(translation=None)
        guide.delete()
        transaction.on_commit(lambda: remove_document(type=GUIDE, id=pk))


def link_guide_translations(*, guide: Guide, translation: Guide) -> None:
    """Make the two guides each other's other-language version, symmetric like articles."""
    if guide.locale == translation.locale:
        raise HelpCenterError(HelpCenterErrorCode.SAME_LANGUAGE_TRANSLATION)
    with transaction.atomic():
        pair = (guide.pk, translation.pk)
        Guide.objects.filter(translation__in=pair).exclude(pk__in=pair).update(translation=None)
        Guide.objects.filter(pk__in=pair).update(translation=None)
        Guide.objects.filter(pk=guide.pk).update(translation=translation)
        Guide.objects.filter(pk=translation.pk).update(translation=guide)
        guide.translation = translation
        translation.translation = guide
        reindex_guides_on_commit([guide, translation])
