"""Keeping the search index in step with the disclosure items.

``sync_item`` is called by the disclosure actions (publish, update, withdraw,
change of validity) inside their transaction, so the index never shows a
withdrawn item nor misses a published one. ``sync_items`` does the same for
many items at once (imports, the demo loader); ``reindex`` rebuilds the whole
index (``gongkai search reindex``).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from django.db import connection, transaction

from gongkai.disclosure.models import Category, DisclosureItem, ItemStatus
from gongkai.orgs.models import Organisation
from gongkai.search import fts
from gongkai.search.models import SearchDocument
from gongkai.search.segment import normalise, tokens_for_index

# Only these columns of an item are read when indexing.
ITEM_FIELDS = (
    "id", "status", "kind", "organisation_id", "category_id", "genre_id", "validity", "published_on", "index_no",
    "doc_number", "title", "summary", "keywords", "body_text",
)  # fmt: skip
_UPDATE_FIELDS = [f.name for f in SearchDocument._meta.concrete_fields if not f.primary_key]


def lookup_key(value: str) -> str:
    """The form in which 索引号 and 文号 are stored and looked up: NFKC (full-width → ASCII),
    no spaces, upper case, every kind of bracket around the year as 〔〕, no 第 before the serial."""
    key = "".join(ch for ch in normalise(value) if ch.isprintable() and not ch.isspace()).upper()
    key = key.translate(_BRACKETS)
    return key.replace("〕第", "〕")


_BRACKETS = str.maketrans({c: "〔" for c in "([{【〖﹝［"} | {c: "〕" for c in ")]}】〗﹞］"})


def item_texts(item: Any) -> tuple[str, str, str]:
    """The three indexed fields of an item: title; summary, keywords, 文号, 索引号; body."""
    meta = "\n".join(x for x in (item.summary, item.keywords, item.doc_number, item.index_no or "") if x)
    return item.title or "", meta, item.body_text or ""


def segment_texts(texts: tuple[str, str, str]) -> tuple[list[str], list[str], list[str]]:
    """Index tokens of (title, meta, body); a plain function so a process pool can run it."""
    return tokens_for_index(texts[0]), tokens_for_index(texts[1]), tokens_for_index(texts[2])


class Facets:
    """Computes the filter tokens of items (see ``fts``): the organisation's path and the
    category's ancestors are read once per call, not per item."""

    def __init__(self, items: Sequence[Any] = (), *, all_organisations: bool = False) -> None:
        self.paths: dict[int, str] = {}
        wanted = set()
        for item in items:
            if _ORG_FIELD.is_cached(item) and item.organisation is not None:
                self.paths[item.organisation_id] = item.organisation.path
            else:
                wanted.add(item.organisation_id)
        if all_organisations:
            self.paths.update(Organisation.objects.values_list("pk", "path"))
        elif wanted:
            self.paths.update(Organisation.objects.filter(pk__in=wanted).values_list("pk", "path"))
        need_categories = all_organisations or any(item.category_id for item in items)
        self.parents = dict(Category.objects.values_list("pk", "parent_id")) if need_categories else {}

    def of(self, item: Any) -> list[str]:
        out = [fts.ALL, f"#u{item.organisation_id}"]
        path = self.paths.get(item.organisation_id) or f"/{item.organisation_id}/"
        out += [f"#o{x}" for x in path.strip("/").split("/") if x]
        category, seen = item.category_id, set()
        while category is not None and category not in seen:
            out.append(f"#c{category}")
            seen.add(category)
            category = self.parents.get(category)
        if item.genre_id:
            out.append(f"#g{item.genre_id}")
        out += [f"#k{item.kind}", f"#v{item.validity}"]
        return out


_ORG_FIELD = DisclosureItem._meta.get_field("organisation")


def build_document(
    item: Any, tokens: tuple[list[str], list[str], list[str]], facets: list[str], vendor: str | None = None
) -> SearchDocument:
    """The index row of a published item from its tokens (see ``segment_texts``) and facets."""
    vendor = vendor or connection.vendor
    title, meta, body = tokens
    doc = SearchDocument(
        item_id=item.pk,
        sort_key=fts.sort_key(item.published_on, item.pk),
        facets=" ".join(facets),
        organisation_id=item.organisation_id,
        category_id=item.category_id,
        genre_id=item.genre_id,
        kind=item.kind,
        validity=item.validity,
        published_on=item.published_on,
        index_no=lookup_key(item.index_no or ""),
        doc_number=lookup_key(item.doc_number or ""),
    )
    # Both: the title's and the summary fields' tokens, which relevance scores (see ``rank``).
    doc.title_tokens, doc.meta_tokens = " ".join(title), " ".join(meta)
    if vendor == "postgresql":
        months = [fts.month_token(item.published_on), fts.year_token(item.published_on)]
        doc.vector = fts.tsvector_literal([(title, "A"), (meta, "B"), (body, "C")], facets + months)
    else:
        doc.body_tokens = " ".join(body)
    return doc


def _documents(items: Sequence[Any], facets: Facets, vendor: str) -> list[SearchDocument]:
    return [build_document(i, segment_texts(item_texts(i)), facets.of(i), vendor) for i in items]


def _upsert(docs: Sequence[SearchDocument]) -> None:
    if docs:
        SearchDocument.objects.bulk_create(
            docs, batch_size=500, update_conflicts=True, unique_fields=["item"], update_fields=_UPDATE_FIELDS
        )


def sync_item(item: DisclosureItem) -> None:
    """Index ``item`` if it is published, else take it out of the index (in the caller's transaction)."""
    if item.status == ItemStatus.PUBLISHED:
        _upsert(_documents([item], Facets([item]), connection.vendor))
    else:
        SearchDocument.objects.filter(pk=item.pk).delete()


def sync_items(items: Iterable[DisclosureItem]) -> int:
    """``sync_item`` for many items: one bulk upsert and one delete. Returns how many are indexed."""
    items = list(items)
    published = [i for i in items if i.status == ItemStatus.PUBLISHED]
    gone = [i.pk for i in items if i.status != ItemStatus.PUBLISHED]
    vendor = connection.vendor
    with transaction.atomic():
        if gone:
            SearchDocument.objects.filter(pk__in=gone).delete()
        _upsert(_documents(published, Facets(published), vendor))
    return len(published)


class ProgressBar:
    """``[#########.............]  45%  4500/10000  12.3 s`` redrawn in place."""

    def __init__(self, total: int, stream: TextIO, width: int = 30) -> None:
        self.total, self.stream, self.width = total, stream, width
        self.started = time.monotonic()

    def update(self, done: int, note: str = "") -> None:
        frac = done / self.total if self.total else 1.0
        filled = int(self.width * frac)
        self._write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {frac:4.0%}  {done}/{self.total}"
            f"  {time.monotonic() - self.started:.1f} s  {note:<32}"
        )

    def finish(self) -> None:
        self._write("\n")

    def _write(self, text: str) -> None:
        from django.core.management.base import OutputWrapper

        if isinstance(self.stream, OutputWrapper):
            self.stream.write(text, ending="")
        else:
            self.stream.write(text)
        self.stream.flush()


def clear_index() -> None:
    """Empty the index (inside the caller's transaction). On SQLite the triggers are dropped:
    call ``finish_rebuild`` after loading the documents again."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            for sql in fts.TRIGGERS_DROP:
                cur.execute(sql)
            cur.execute(f"DELETE FROM {fts.DOC_TABLE}")
    else:
        SearchDocument.objects.all().delete()


def finish_rebuild() -> None:
    """After loading documents in bulk: on SQLite build the FTS5 index from the stored tokens
    (merged into one b-tree) and restore the triggers; on both, refresh the planner's statistics."""
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute(f"INSERT INTO {fts.FTS_TABLE}({fts.FTS_TABLE}) VALUES ('rebuild')")
            cur.execute(f"INSERT INTO {fts.FTS_TABLE}({fts.FTS_TABLE}) VALUES ('optimize')")
            for sql in fts.TRIGGERS_CREATE:
                cur.execute(sql)
        cur.execute(f"ANALYZE {fts.DOC_TABLE}")


def reindex(progress: bool = False, batch_size: int = 2000, stream: TextIO | None = None) -> int:
    """Rebuild the index from the published items, in one transaction (readers see the old
    index until it commits). Returns the number of items indexed."""
    qs = DisclosureItem.objects.filter(status=ItemStatus.PUBLISHED).only(*ITEM_FIELDS).order_by("pk")
    vendor = connection.vendor
    with transaction.atomic():
        total = qs.count()
        bar = ProgressBar(total, stream or sys.stdout) if progress else None
        clear_index()
        facets = Facets(all_organisations=True)
        done, last = 0, 0
        if bar:
            bar.update(0)
        while True:
            batch = list(qs.filter(pk__gt=last)[:batch_size])
            if not batch:
                break
            SearchDocument.objects.bulk_create(_documents(batch, facets, vendor), batch_size=500)
            done += len(batch)
            last = batch[-1].pk
            if bar:
                bar.update(done)
        if bar:
            bar.update(done, "building the full-text index…" if vendor == "sqlite" else "")
        finish_rebuild()
        if bar:
            bar.update(done, "done")
            bar.finish()
    return done
