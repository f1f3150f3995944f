"""Importing tables (CSV or XLSX): the generic reader, the registry of import kinds,
and the disclosure items import.

- :mod:`.tables`: reading a file (:func:`read_table`: format sniffing, text
  encodings, size and row limits, numbered rows).
- :mod:`.columns`: matching a file's header to fields (:func:`map_header`) and
  the columns of the items table.
- :mod:`.registry`: the import kinds of ``gongkai import KIND FILE``
  (:class:`Importer`, :func:`register_importer`, :func:`importers`).
- :mod:`.items`: the ``items`` kind (:func:`parse_item_rows`,
  :func:`import_items_file`).
- :mod:`.template`: the empty items table offered for download.

Every name other modules use is importable from ``gongkai.disclosure.imports``
itself. Importing this package registers the ``items`` kind.
"""

from __future__ import annotations

from gongkai.disclosure.imports.columns import (
    ITEM_COLUMNS,
    KIND_ZH,
    VALIDITY_ZH,
    Column,
    map_header,
    normalise_header,
)
from gongkai.disclosure.imports.items import (
    CHANNEL_WORDS,
    ItemsImporter,
    ParsedItems,
    import_items_file,
    parse_date,
    parse_item_rows,
)
from gongkai.disclosure.imports.registry import IMPORTERS, Importer, importers, register_importer
from gongkai.disclosure.imports.tables import (
    FORMULA_PREFIXES,
    MAX_BYTES,
    MAX_ROWS,
    MAX_UNPACKED_BYTES,
    FileRejected,
    Table,
    decode_text,
    read_table,
    sniff_format,
    unescape_cell,
)
from gongkai.disclosure.imports.template import TEMPLATE_FIELDS, column_notes, item_template

__all__ = [
    "CHANNEL_WORDS",
    "FORMULA_PREFIXES",
    "IMPORTERS",
    "ITEM_COLUMNS",
    "KIND_ZH",
    "MAX_BYTES",
    "MAX_ROWS",
    "MAX_UNPACKED_BYTES",
    "TEMPLATE_FIELDS",
    "VALIDITY_ZH",
    "Column",
    "FileRejected",
    "Importer",
    "ItemsImporter",
    "ParsedItems",
    "Table",
    "column_notes",
    "decode_text",
    "import_items_file",
    "importers",
    "item_template",
    "map_header",
    "normalise_header",
    "parse_date",
    "parse_item_rows",
    "read_table",
    "register_importer",
    "sniff_format",
    "unescape_cell",
]
