"""``gongkai search``: rebuild the search index, or try a query from the command line."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Search index: reindex | query TEXT"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="op", required=True)
        reindex = sub.add_parser(
            "reindex", help="Rebuild the index from the published items (with a progress bar)."
        )
        reindex.add_argument("--batch-size", type=int, default=2000)
        reindex.add_argument("--quiet", action="store_true", help="No progress bar.")
        query = sub.add_parser("query", help="Run a search as an anonymous visitor and print the first page.")
        query.add_argument("text")
        query.add_argument("--sort", choices=["relevance", "date"], default="relevance")

    def handle(self, *args: Any, **opts: Any) -> None:
        from gongkai.search import index
        from gongkai.search.query import SearchQuery, search

        if opts["op"] == "reindex":
            if opts["batch_size"] < 1:
                raise CommandError("--batch-size must be at least 1")
            n = index.reindex(progress=not opts["quiet"], batch_size=opts["batch_size"], stream=self.stdout)
            self.stdout.write(f"indexed {n} published items")
        elif opts["op"] == "query":
            from django.contrib.auth.models import AnonymousUser

            page = search(AnonymousUser(), SearchQuery(q=opts["text"], sort=opts["sort"]))
            total = page.total if page.total_exact else f"more than {page.total}"
            self.stdout.write(f"{total} results ({page.took_ms} ms){' exact' if page.exact else ''}")
            for hit in page.hits:
                item = hit.item
                self.stdout.write(f"{item.published_on}  {item.index_no or '-'}  {item.title}")
