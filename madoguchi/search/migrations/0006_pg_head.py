"""PostgreSQL: titles and tags also get their own small tsvector and GIN index, so that
common words are looked up and ranked there without reading whole documents."""

from django.db import migrations

CREATE = [
    "ALTER TABLE search_pg_index ADD COLUMN head tsvector NOT NULL DEFAULT ''",
    "CREATE INDEX search_pg_index_head ON search_pg_index USING gin (head)",
]
DROP = [
    "DROP INDEX IF EXISTS search_pg_index_head",
    "ALTER TABLE search_pg_index DROP COLUMN IF EXISTS head",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0005_head_index")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP), elidable=False)]
