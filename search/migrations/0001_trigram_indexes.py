"""pg_trgm GIN indexes for the search's substring matches (LIKE '%…%') on PostgreSQL; nothing on
another database (SQLite in development answers the same queries by scanning). Kept in the
search app, which owns the queries, rather than in the apps that own the tables.

A trigram index serves a pattern whose literal has 3 characters or more; what PostgreSQL does
with a 1–2 character query is measured in bench/search_trigram.py and written up in
docs/search.md."""

from django.db import migrations

# (index name, table, column)
INDEXES = [
    ("search_case_number_trgm", "cases_case", "number"),
    ("search_case_cause_trgm", "cases_case", "cause"),
    ("search_case_summary_trgm", "cases_case", "summary"),
    ("search_clue_number_trgm", "screening_clue", "number"),
    ("search_clue_summary_trgm", "screening_clue", "summary"),
    ("search_party_name_trgm", "parties_party", "name"),
    ("search_document_title_trgm", "documents_generateddocument", "title"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ("{column}" gin_trgm_ops)')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0005_alter_case_stage"),
        ("screening", "0008_import_preview_job"),
        ("parties", "0004_import_preview_job"),
        ("documents", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
