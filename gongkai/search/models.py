"""The search index: one row per published disclosure item.

The columns are copies of the item's (kept in step by ``gongkai.search.index``),
so a search never reads the item table until the page of results is fetched.
Filters are tokens in the full-text index itself (``facets``), so a filtered
search is one index look-up, not a join.

Full text, by database:

* SQLite: the segmented text is stored here (``*_tokens``, space-separated
  tokens) and indexed with ``facets`` by the FTS5 table ``search_fts``
  (external content, rowid ``sort_key``, kept in step by triggers; created by
  migration 0001 on SQLite only);
* PostgreSQL: ``vector`` holds the tsvector built from the same tokens (title
  weight A, summary/keywords/文号/索引号 B, body C), the facets (``#o5`` …)
  and the month of publication (``#m202403``) under a GIN index;
  ``body_tokens`` stays empty.

On both, ``title_tokens`` and ``meta_tokens`` are what relevance scores (``rank``).
"""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    item = models.OneToOneField(
        "disclosure.DisclosureItem",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="search_document",
    )
    # published_on's ordinal << 32 | item id: the FTS5 rowid, so that "newest first" and date
    # ranges are rowid order and rowid ranges inside the full-text index.
    sort_key = models.BigIntegerField(unique=True)
    # Filter tokens: #o<id> for the organisation and each unit above it, #u<id> for the organisation
    # itself, #c<id> for the category and each above it, #g<id>, #k<kind>, #v<validity>, and #all.
    facets = models.TextField(blank=True)
    organisation = models.ForeignKey(
        "orgs.Organisation",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    category = models.ForeignKey(
        "disclosure.Category",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    genre = models.ForeignKey(
        "disclosure.Genre",
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    kind = models.CharField(max_length=8)
    validity = models.CharField(max_length=10)
    published_on = models.DateField(null=True)
    index_no = models.CharField(max_length=40, blank=True)  # see index.lookup_key
    doc_number = models.CharField(max_length=100, blank=True)  # see index.lookup_key
    title_tokens = models.TextField(blank=True)
    meta_tokens = models.TextField(blank=True)
    body_tokens = models.TextField(blank=True)
    vector = SearchVectorField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["published_on", "item"], name="search_doc_date"),
            models.Index(fields=["index_no"], name="search_doc_index_no"),
            models.Index(fields=["doc_number"], name="search_doc_doc_number"),
            # Created on PostgreSQL only (migration 0001).
            GinIndex(fields=["vector"], name="search_doc_vector"),
        ]

    def __str__(self) -> str:
        return f"search document {self.item_id}"
