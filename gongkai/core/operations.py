"""Migration operations shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import migrations


class AddIndexWithoutLocking(migrations.AddIndex):
    """``AddIndex`` built with ``CREATE INDEX CONCURRENTLY`` on PostgreSQL, so the table takes
    writes while the index builds (a province's three million items: tens of seconds); a plain
    ``AddIndex`` elsewhere. The migration holding it must say ``atomic = False``."""

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)
