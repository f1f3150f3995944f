"""The import and export pages in a browser: axe-core finds no WCAG A/AA problem, and an
upload with a bad row shows the table of problems."""

from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.disclosure.conftest import csv_bytes, row
from tests.e2e.helpers import accessibility_problems, log_in

pytestmark = pytest.mark.e2e


def test_the_import_and_export_pages_are_accessible(
    axe_page: Any, live_server: Any, world: Any, tmp_path: Any
) -> None:
    page, base = axe_page, live_server.url
    log_in(page, base, world.reviewer.username, factories.PASSWORD)
    found = {}
    for name, path in [("import", "/office/items/import/"), ("export", "/office/items/export/")]:
        response = page.goto(base + path)
        assert response is not None and response.status == 200
        if problems := accessibility_problems(page):
            found[name] = problems

    bad = tmp_path / "目录.csv"
    bad.write_bytes(csv_bytes([row(world.unit_a, 1), row(world.unit_a, 2, 发布日期="2013-02-30")]))
    page.goto(base + "/office/items/import/")
    page.set_input_files("input[type=file]", str(bad))
    page.click("button.primary")
    page.wait_for_selector("#import-problems")
    assert "2013-02-30" in page.inner_text("table")
    if problems := accessibility_problems(page):
        found["import problems"] = problems

    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([row(world.unit_a, 1)]))
    page.set_input_files("input[type=file]", str(good))
    page.click("button.primary")
    page.wait_for_url("**/import/done/")
    if problems := accessibility_problems(page):
        found["import done"] = problems
    assert not found, "\n\n".join(f"{k}:\n{v}" for k, v in found.items())
