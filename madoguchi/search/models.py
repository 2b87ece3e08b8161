"""What the search service stores: indexed documents, term statistics, synonyms, the query log."""

from __future__ import annotations

import re

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_TERM_SEPARATORS = re.compile(r"[,\n、，]+")


class IndexedDocument(models.Model):
    """One searchable document as the index sees it: its text, and that text analyzed.

    The *_terms columns hold analyzer tokens joined by spaces; the SQLite FTS5 table and
    the PostgreSQL tsvector table are built over them (see backends/).
    """

    doc_type = models.CharField(max_length=32)
    # documents.scope_of(doc_type): which statistics (and SQLite full-text tables) count it.
    scope = models.CharField(max_length=16, db_default="public")
    doc_id = models.BigIntegerField()
    locale = models.CharField(max_length=8)
    slug = models.CharField(max_length=255)
    title = models.TextField()
    body = models.TextField()
    url = models.CharField(max_length=500)
    category = models.CharField(max_length=100, blank=True)
    category_name = models.CharField(max_length=200, blank=True)
    tags = models.TextField(blank=True)  # one tag a line
    translation_of = models.CharField(max_length=255, blank=True)
    title_terms = models.TextField(blank=True)
    tags_terms = models.TextField(blank=True)
    body_terms = models.TextField(blank=True)
    extra_terms = models.TextField(blank=True)

    class Meta:
        db_table = "search_document"
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "doc_id"], name="search_document_unique")
        ]
        indexes = [
            models.Index(fields=["doc_type", "locale", "slug"], name="search_doc_slug"),
            # Covers the facet and filter lookups by id, so that counting thousands of
            # matches per category never reads the wide rows themselves.
            models.Index(fields=["id", "category", "doc_type"], name="search_doc_facets"),
        ]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.doc_id} {self.title}"


class IndexStatistics(models.Model):
    """Figures BM25 needs for one scope: documents and tokens per field.

    A scope is the public collection (Help Center) or one private document type (tickets);
    a search ranks with the statistics of the scopes it searches only, so private text can
    neither move nor be read from a public score. `generation` grows with every change of
    the scope, so that processes know their caches of it are stale.
    """

    scope = models.CharField(max_length=32, primary_key=True)
    generation = models.BigIntegerField(default=0)
    documents = models.BigIntegerField(default=0)
    title_tokens = models.BigIntegerField(default=0)
    tags_tokens = models.BigIntegerField(default=0)
    body_tokens = models.BigIntegerField(default=0)
    extra_tokens = models.BigIntegerField(default=0)

    class Meta:
        db_table = "search_scope_statistics"

    def __str__(self) -> str:
        return f"{self.scope}: {self.documents} documents (generation {self.generation})"


class TermStatistic(models.Model):
    """In how many documents of a scope a term occurs (BM25's document frequency)."""

    pk = models.CompositePrimaryKey("scope", "term")
    scope = models.CharField(max_length=32)
    term = models.CharField(max_length=100)
    documents = models.IntegerField(default=0)

    class Meta:
        db_table = "search_scope_term"

    def __str__(self) -> str:
        return f"{self.term} ({self.scope}: {self.documents})"


class VocabularyWord(models.Model):
    """A word seen in indexed text, its indexed term and its reading: for did-you-mean."""

    word = models.CharField(max_length=100, primary_key=True)
    term = models.CharField(max_length=100)
    reading = models.CharField(max_length=100, blank=True)

    class Meta:
        db_table = "search_vocabulary"

    def __str__(self) -> str:
        return self.word


class SynonymGroup(models.Model):
    """Words and phrases that mean the same to a searcher; a query for one finds all.

    Expanded when a query is read, so an edit applies to the next search, no reindexing.
    """

    terms = models.TextField(
        _("terms"),
        help_text=_("Equivalent words or phrases, separated by commas or one per line."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")
        ordering = ["id"]

    def __str__(self) -> str:
        return ", ".join(self.term_list()[:6])

    def term_list(self) -> list[str]:
        return [t.strip() for t in _TERM_SEPARATORS.split(self.terms) if t.strip()]


class SearchQuery(models.Model):
    """One search someone ran: what they typed (capped), in which language, how many hits."""

    MAX_QUERY_LENGTH = 200

    query = models.CharField(_("query"), max_length=MAX_QUERY_LENGTH)
    locale = models.CharField(_("language"), max_length=8)
    results = models.IntegerField(_("results"))
    took_ms = models.FloatField(_("time (ms)"))
    created_at = models.DateTimeField(_("searched at"), default=timezone.now)

    class Meta:
        db_table = "search_query"
        verbose_name = _("search query")
        verbose_name_plural = _("search queries")
        indexes = [models.Index(fields=["results", "created_at"], name="search_query_zero")]

    def __str__(self) -> str:
        return self.query
