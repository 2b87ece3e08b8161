"""Ranking statistics per scope: the public collection apart from each private type.

Until now one row of totals and one count per term covered every indexed document, tickets
included, so a million tickets moved the Help Center's ranking. The new tables hold the
same figures per scope ("public", "private"); this migration fills them from what is
indexed, without reindexing:

- the public scope is counted from its own documents (the Help Center: small);
- each private scope is the old totals minus the public figures (a million tickets are
  never read again). Only "ticket" was private when this migration was written.

The old tables were kept in step in the same transaction as every write, so the
difference is exact; `madoguchi reindex` rebuilds everything from the sources if in doubt.
"""

from collections import Counter

from django.db import migrations, models

PUBLIC = "public"
PRIVATE_TYPES = ("ticket",)  # the private document types at the time of this migration
FIELDS = ("title_terms", "tags_terms", "body_terms", "extra_terms")
CHUNK = 1000


def _public_figures(cursor):
    """Documents, tokens per field and documents per term of the public documents."""
    placeholders = ", ".join(["%s"] * len(PRIVATE_TYPES))
    cursor.execute(
        f"SELECT {', '.join(FIELDS)} FROM search_document"  # noqa: S608 - placeholders only
        f" WHERE doc_type NOT IN ({placeholders})",
        list(PRIVATE_TYPES),
    )
    documents = 0
    tokens = [0, 0, 0, 0]
    terms: Counter[str] = Counter()
    while rows := cursor.fetchmany(CHUNK):
        for row in rows:
            documents += 1
            seen: set[str] = set()
            for i, text in enumerate(row):
                tokens[i] += text.count(" ") + 1 if text else 0
                seen.update(text.split())
            terms.update(seen)
    return documents, tokens, terms


def split_statistics(apps, schema_editor):
    cursor = schema_editor.connection.cursor()
    cursor.execute(
        "SELECT generation, documents, title_tokens, tags_tokens, body_tokens, extra_tokens"
        " FROM search_statistics WHERE id = 1"
    )
    old = cursor.fetchone()
    if old is None:
        return  # nothing was ever indexed
    generation = int(old[0]) + 1
    documents, tokens, terms = _public_figures(cursor)
    insert = (
        "INSERT INTO search_scope_statistics (scope, generation, documents, title_tokens,"
        " tags_tokens, body_tokens, extra_tokens) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    cursor.execute(insert, [PUBLIC, generation, documents, *tokens])
    cursor.executemany(
        "INSERT INTO search_scope_term (scope, term, documents) VALUES (%s, %s, %s)",
        [(PUBLIC, term, count) for term, count in terms.items()],
    )
    # Everything that is not public is a ticket's (the only private type so far).
    private = "private"
    cursor.execute(
        insert,
        [
            private,
            generation,
            max(0, int(old[1]) - documents),
            *(max(0, int(total) - part) for total, part in zip(old[2:6], tokens, strict=True)),
        ],
    )
    cursor.execute(
        "INSERT INTO search_scope_term (scope, term, documents)"
        " SELECT %s, term, documents FROM search_term WHERE documents > 0",
        [private],
    )
    cursor.executemany(
        "UPDATE search_scope_term SET documents = documents - %s WHERE scope = %s AND term = %s",
        [(count, private, term) for term, count in terms.items()],
    )
    cursor.execute(
        "DELETE FROM search_scope_term WHERE scope = %s AND documents <= 0", [private]
    )


def join_statistics(apps, schema_editor):
    cursor = schema_editor.connection.cursor()
    cursor.execute(
        "SELECT MAX(generation), SUM(documents), SUM(title_tokens), SUM(tags_tokens),"
        " SUM(body_tokens), SUM(extra_tokens) FROM search_scope_statistics"
    )
    row = cursor.fetchone()
    if row is None or row[0] is None:
        return
    cursor.execute(
        "INSERT INTO search_statistics (id, generation, documents, title_tokens, tags_tokens,"
        " body_tokens, extra_tokens) VALUES (1, %s, %s, %s, %s, %s, %s)",
        [int(row[0]) + 1, *(int(value or 0) for value in row[1:])],
    )
    cursor.execute(
        "INSERT INTO search_term (term, documents)"
        " SELECT term, SUM(documents) FROM search_scope_term GROUP BY term"
    )


class Migration(migrations.Migration):
    dependencies = [("search", "0007_index_follows_documents")]

    operations = [
        # The old models keep their tables under a new name until the data has moved.
        migrations.RenameModel("IndexStatistics", "CollectionStatistics"),
        migrations.RenameModel("TermStatistic", "CollectionTermStatistic"),
        migrations.CreateModel(
            name="IndexStatistics",
            fields=[
                ("scope", models.CharField(max_length=32, primary_key=True, serialize=False)),
                ("generation", models.BigIntegerField(default=0)),
                ("documents", models.BigIntegerField(default=0)),
                ("title_tokens", models.BigIntegerField(default=0)),
                ("tags_tokens", models.BigIntegerField(default=0)),
                ("body_tokens", models.BigIntegerField(default=0)),
                ("extra_tokens", models.BigIntegerField(default=0)),
            ],
            options={"db_table": "search_scope_statistics"},
        ),
        migrations.CreateModel(
            name="TermStatistic",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "scope", "term", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("scope", models.CharField(max_length=32)),
                ("term", models.CharField(max_length=100)),
                ("documents", models.IntegerField(default=0)),
            ],
            options={"db_table": "search_scope_term"},
        ),
        migrations.RunPython(split_statistics, join_statistics, elidable=False),
        migrations.DeleteModel("CollectionStatistics"),
        migrations.DeleteModel("CollectionTermStatistic"),
    ]
