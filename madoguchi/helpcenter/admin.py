"""Editors work in the admin; every save and delete here goes through the services.

The article form has a live preview beside the Markdown body (rendered by the same
sanitizer as the public page) and a screenshot upload that inserts the Markdown for it.
Guides are edited whole, as YAML, so that every path is checked before it is saved.
"""

from __future__ import annotations

from typing import Any

import yaml
from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from madoguchi.helpcenter import services
from madoguchi.helpcenter.guide_files import GuideFormatError, dump_guide_yaml, parse_guide
from madoguchi.helpcenter.models import (
    Article,
    ArticleImage,
    Category,
    Feedback,
    Guide,
    Section,
    Status,
    other_locale,
)


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    fields = ("slug", "name_ja", "name_en", "position")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("slug", "name_ja", "name_en", "position")
    list_editable = ("position",)
    search_fields = ("slug", "name_ja", "name_en")
    inlines = [SectionInline]

    def save_model(self, request: HttpRequest, obj: Category, form: Any, change: bool) -> None:
        saved = services.save_category(
            category=Category.objects.get(pk=obj.pk) if change else None,
            slug=obj.slug,
            name_ja=obj.name_ja,
            name_en=obj.name_en,
            description_ja=obj.description_ja,
            description_en=obj.description_en,
            position=obj.position,
            icon=obj.icon,
        )
        obj.pk = saved.pk

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for section in formset.save(commit=False):
            services.save_section(
                section=section if section.pk else None,
                category=form.instance,
                slug=section.slug,
                name_ja=section.name_ja,
                name_en=section.name_en,
                position=section.position,
            )
        for section in formset.deleted_objects:
            section.delete()


class MarkdownPreviewWidget(forms.Textarea):
    """A Markdown textarea that the editor script gives a live preview and an image upload."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"rows": 24, "class": "markdown-editor", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-preview-url"] = reverse("helpcenter:editor-preview")
        context["widget"]["attrs"]["data-upload-url"] = reverse("helpcenter:editor-upload-image")
        context["widget"]["attrs"]["data-upload-label"] = str(_("Upload a screenshot: "))
        return context


class ArticleForm(forms.ModelForm):
    translation = forms.ModelChoiceField(
        queryset=Article.objects.none(),
        required=False,
        label=_("Translation"),
        help_text=_("The same article in the other language; the link is kept both ways."),
    )
    note = forms.CharField(
        label=_("What changed (for the revision history)"), required=False, max_length=200
    )
    tags_text = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separated by commas."), max_length=1000
    )

    class Meta:
        model = Article
        fields = ("title", "slug", "locale", "category", "section", "status", "body")
        widgets = {"body": MarkdownPreviewWidget()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance: Article = self.instance
        locale = instance.locale or "ja"
        choices = Article.objects.filter(locale=other_locale(locale)).order_by("title")
        field = self.fields["translation"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = choices if instance.pk else Article.objects.all()
        if instance.pk:
            self.fields["translation"].initial = instance.translation_id
            self.fields["tags_text"].initial = ", ".join(str(t) for t in instance.tags or ())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        other = data.get("translation")
        if other is not None and other.locale == data.get("locale"):
            self.add_error("translation", _("A translation must be written in the other language."))
        section = data.get("section")
        if section is not None and section.category_id != getattr(data.get("category"), "pk", None):
            self.add_error("section", _("This section belongs to another category."))
        data["tags"] = [t.strip() for t in (data.get("tags_text") or "").split(",") if t.strip()]
        return data


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ("title", "locale", "category", "status", "updated_at", "last_reviewed_at")
    list_filter = ("locale", "status", "category")
    search_fields = ("title", "slug")
    readonly_fields = (
        "history_link",
        "created_at",
        "updated_at",
        "last_reviewed_at",
        "reviewed_by",
    )
    fieldsets = (
        (None, {"fields": ("title", "slug", "locale", "category", "section", "status")}),
        (None, {"fields": ("body", "note")}),
        (_("Links"), {"fields": ("translation", "tags_text")}),
        (
            _("History"),
            {
                "fields": (
                    "history_link",
                    "created_at",
                    "updated_at",
                    "last_reviewed_at",
                    "reviewed_by",
                )
            },
        ),
    )
    actions = ("publish", "unpublish", "mark_reviewed")

    class Media:
        js = ("helpcenter/editor.js",)
        css = {"all": ("helpcenter/editor.css",)}

    @admin.display(description=_("Revisions"))
    def history_link(self, obj: Article) -> str:
        if not obj.pk:
            return "—"
        url = reverse("helpcenter:editor-revisions", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Revision history and differences"))

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = services.save_article(
            article=Article.objects.get(pk=obj.pk) if change else None,
            author=request.user,
            slug=data["slug"],
            locale=data["locale"],
            title=data["title"],
            body=data["body"],
            category=data["category"],
            section=data.get("section"),
            tags=data.get("tags", []),
            status=data["status"],
            note=data.get("note", ""),
        )
        obj.pk = saved.pk
        obj._state.adding = False
        other = data.get("translation")
        if other is not None:
            services.link_translations(article=saved, translation=other)
        elif saved.translation_id is not None:
            services.unlink_translation(article=saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """No many-to-many fields: save_model already wrote everything through services."""

    def delete_model(self, request: HttpRequest, obj: Article) -> None:
        services.delete_article(article=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            services.delete_article(article=article)

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset.select_related("category", "section"):
            services.publish_article(article=article, actor=request.user)

    @admin.action(description=_("Unpublish the selected articles"), permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset.select_related("category", "section"):
            services.unpublish_article(article=article, actor=request.user)

    @admin.action(description=_("Mark the selected articles as reviewed"), permissions=["change"])
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        for article in queryset:
            services.mark_reviewed(article=article, reviewer=request.user)


class GuideForm(forms.ModelForm):
    definition = forms.CharField(
        label=_("Guide (YAML)"),
        widget=forms.Textarea(attrs={"rows": 30, "class": "guide-yaml", "spellcheck": "false"}),
        help_text=_(
            "slug, locale, title, category, problem_type, summary, start, translation_of, "
            "status and steps (key, kind: question | fix | contact, title, body, choices: "
            "label and next). Every path must end in a fix or in contact."
        ),
    )

    class Meta:
        model = Guide
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["definition"].initial = dump_guide_yaml(self.instance)

    def clean_definition(self) -> Any:
        text = self.cleaned_data["definition"]
        try:
            definition = parse_guide(yaml.safe_load(text))
        except yaml.YAMLError as error:
            raise forms.ValidationError(
                _("This is not valid YAML: %(error)s"), params={"error": error}
            ) from error
        except GuideFormatError as error:
            raise forms.ValidationError(error.problems) from error
        if not Category.objects.filter(slug=definition.category).exists():
            raise forms.ValidationError(
                _("There is no category “%(slug)s”."), params={"slug": definition.category}
            )
        return definition


@admin.register(Guide)
class GuideAdmin(admin.ModelAdmin):
    form = GuideForm
    list_display = ("title", "locale", "category", "problem_type", "status", "updated_at")
    list_filter = ("locale", "status", "problem_type", "category")
    search_fields = ("title", "slug")
    actions = ("publish", "unpublish")

    def save_model(self, request: HttpRequest, obj: Guide, form: Any, change: bool) -> None:
        saved = services.save_guide(definition=form.cleaned_data["definition"])
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Steps and choices were written by save_guide."""

    def delete_model(self, request: HttpRequest, obj: Guide) -> None:
        services.delete_guide(guide=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Guide]) -> None:
        for guide in queryset:
            services.delete_guide(guide=guide)

    @admin.action(description=_("Publish the selected guides"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Guide]) -> None:
        for guide in queryset:
            services.set_guide_status(guide=guide, status=Status.PUBLISHED)

    @admin.action(description=_("Unpublish the selected guides"), permissions=["change"])
    def unpublish(self, request: HttpRequest, queryset: QuerySet[Guide]) -> None:
        for guide in queryset:
            services.set_guide_status(guide=guide, status=Status.DRAFT)


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Votes are read here, never written: they come only from the article page."""

    list_display = ("article", "helpful", "comment", "updated_at")
    list_filter = ("helpful", "article__locale")
    search_fields = ("comment", "article__title")
    readonly_fields = ("article", "helpful", "comment", "updated_at")
    exclude = ("voter",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ArticleImage)
class ArticleImageAdmin(admin.ModelAdmin):
    list_display = ("file", "width", "height", "uploaded_by", "created_at")
    readonly_fields = ("file", "width", "height", "uploaded_by", "created_at", "snippet")

    @admin.display(description=_("Markdown"))
    def snippet(self, obj: ArticleImage) -> str:
        return services.markdown_snippet(obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Uploads go through the article editor, which checks and re-encodes the image.
        return False
