"""Fuzzing every importer (issue 8 §6): arbitrary bytes, truncated templates and templates with
mutated cells, headers and encodings either import or are refused with the importer's own error
(every problem with its row, column and reason), and a refused file stores nothing.

Another exception would be a 500 on the upload page. Each kind runs a brief, derandomised batch of
examples here; ``bench/fuzz.py`` runs the same targets longer under atheris.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from gongkai.core.actions import ActionError
from gongkai.disclosure.bulk import ImportRejected
from gongkai.disclosure.imports import importers
from gongkai.workdays.calendar import load_year, parse_schedule
from tests.fuzz.seeds import (
    ENCODINGS,
    NASTY_CELLS,
    SCHEDULE_CSV,
    csv_bytes,
    rolled_back,
    row_counts,
    schedule_json,
    template,
    template_table,
    xlsx_bytes,
)

KINDS = ["applications", "cases", "disputes", "figures", "items", "letters", "services"]
EXAMPLES = 35  # per kind; bench/fuzz.py runs for minutes
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip


def _noop(stage: str, done: int, total: int) -> None:
    pass


def run_import(fuzz_world: Any, kind: str, data: bytes, filename: str) -> str:
    """Import ``data`` as ``kind`` in a savepoint that is rolled back; "imported" or "rejected".

    Fails the test on any exception other than the importer's refusal, on a refusal without a
    reason, and on a refusal that stored anything.
    """
    importer = importers()[kind]

    def attempt() -> str:
        before = row_counts()
        try:
            lines = importer.run(data=data, filename=filename, actor=fuzz_world.actor_for(kind), options={},
                                 progress=_noop)  # fmt: skip
        except ImportRejected as exc:
            assert exc.errors, "a refusal names its problems"
            for error in exc.errors:
                assert str(error.message).strip(), error
                assert error.row is None or error.row >= 1, error
            assert row_counts() == before, "a refused file stores nothing"
            return "rejected"
        assert lines and all(isinstance(line, str) and line for line in lines)
        return "imported"

    return rolled_back(attempt)


# --- strategies -----------------------------------------------------------------------------------

cell_values = st.one_of(
    st.sampled_from(NASTY_CELLS),
    st.text(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(),
    st.datetimes(),
    st.booleans(),
)


@st.composite
def mutated_tables(draw: Any, kind: str) -> tuple[bytes, str]:
    """The template with its header and cells mutated, written as CSV (any encoding) or XLSX."""
    header, example = template_table(kind)
    header, rows = list(header), [list(example) for _ in range(draw(st.integers(1, 3)))]  # duplicates
    op = draw(st.sampled_from(["keep", "drop", "dup", "extra", "shuffle", "blank", "ragged"]))
    i = draw(st.integers(0, len(header) - 1))
    if op == "drop":
        for r in (header, *rows):
            del r[i]
    elif op == "dup":
        for r in (header, *rows):
            r.append(r[i])
    elif op == "extra":
        header.append(draw(st.sampled_from(["未知列", "", "名称", "\x00", "=1+1"])))
    elif op == "shuffle":
        order = draw(st.permutations(range(len(header))))
        header, rows = [header[j] for j in order], [[r[j] for j in order] for r in rows]
    elif op == "blank":
        header[i] = ""
    elif op == "ragged":
        rows[0] = rows[0][:i]
    for _ in range(draw(st.integers(0, 4))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(header)))  # one past the end: a cell without a header
        value = draw(cell_values)
        while len(rows[r]) <= c:
            rows[r].append("")
        rows[r][c] = value
    if draw(st.booleans()):
        data = xlsx_bytes([header, *rows])
        if data is not None:
            return data, draw(st.sampled_from(["t.xlsx", "t.csv", ""]))
    encoding = draw(st.sampled_from(ENCODINGS))
    delimiter = draw(st.sampled_from([",", ",", ";", "\t"]))
    return csv_bytes([header, *rows], encoding, delimiter), draw(
        st.sampled_from(["t.csv", "t.xlsx", "t.txt"])
    )


@st.composite
def damaged_templates(draw: Any, kind: str) -> tuple[bytes, str]:
    """The template (CSV or XLSX) truncated, or with bytes overwritten."""
    fmt = draw(st.sampled_from(["csv", "xlsx"]))
    data = bytearray(template(kind, fmt))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    for _ in range(draw(st.integers(0, 3))):
        if data:
            data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data), f"t.{fmt}"


random_files = st.tuples(
    st.one_of(st.binary(max_size=600), st.binary(max_size=200).map(lambda b: b"PK\x03\x04" + b)),
    st.sampled_from(["t.csv", "t.xlsx", "t.xls", ""]),
)


def payloads(kind: str) -> Any:
    return st.one_of(mutated_tables(kind), mutated_tables(kind), damaged_templates(kind), random_files)


# --- the importers --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_imports_its_own_template(fuzz_world: Any, kind: str) -> None:
    """The seeds are valid: each template, CSV and XLSX, imports as it stands."""
    importer = importers()[kind]
    for fmt in ("csv", "xlsx"):
        assert run_import(fuzz_world, kind, importer.template(fmt), f"template.{fmt}") == "imported"


def test_the_kinds_are_every_registered_importer() -> None:
    assert sorted(importers()) == KINDS


# Defects the fuzzing found: (column, value) of a template row that raised instead of being refused.
REGRESSIONS = {
    "services": [("收费标准", "1e308")],  # decimal.InvalidOperation from quantize
    "cases": [("收费金额", "1e308"), ("收费数量", "1e308")],  # the same
    # OverflowError from int(Decimal("inf")); int(Decimal("1e999999999")) never returns
    "applications": [
        ("延期工作日", "inf"),
        ("收费页数", "-Infinity"),
        ("延期工作日", "1e999999999"),
        ("延期理由", "9" * 5000),
    ],  # DataError on PostgreSQL: longer than the column
}


def with_cell(kind: str, column: str, value: str) -> tuple[bytes, str]:
    header, row = template_table(kind)
    row[header.index(column)] = value
    return csv_bytes([header, row]), "regression.csv"


def zip_from_the_future(kind: str) -> tuple[bytes, str]:
    """The XLSX template needing zip version 15.6 to extract: zipfile raised NotImplementedError."""
    data = bytearray(template(kind, "xlsx"))
    data[data.find(b"PK\x01\x02") + 6] = 156
    return bytes(data), "t.xlsx"


@pytest.mark.parametrize("kind", KINDS)
def test_arbitrary_files_are_imported_or_refused_with_reasons(fuzz_world: Any, kind: str) -> None:
    outcomes: set[str] = set()

    @FUZZ
    @given(payload=payloads(kind))
    @example(payload=(b"\xff\xfe\x00", "t.csv"))
    @example(payload=(b"PK\x03\x04", "t.xlsx"))
    def check(payload: tuple[bytes, str]) -> None:
        outcomes.add(run_import(fuzz_world, kind, *payload))

    check = example(payload=zip_from_the_future(kind))(check)
    for column, value in REGRESSIONS.get(kind, []):
        check = example(payload=with_cell(kind, column, value))(check)
    check()
    assert "rejected" in outcomes  # the strategies reached the importer's checks


# --- the calendar loader --------------------------------------------------------------------------


def load_schedule(actor: Any, text: str) -> str:
    """Parse and load a schedule file in a rolled-back savepoint: "loaded" or "rejected"."""
    from gongkai.workdays.models import CalendarDay, CalendarYear

    def attempt() -> str:
        before = (CalendarDay.objects.count(), CalendarYear.objects.count())
        try:
            year, notice, entries = parse_schedule(text)
            load_year(actor=actor, year=year, entries=entries, notice=notice, reason="fuzz")
        except ActionError as exc:
            assert exc.messages and all(str(m).strip() for m in exc.messages)
            assert (CalendarDay.objects.count(), CalendarYear.objects.count()) == before
            return "rejected"
        return "loaded"

    return rolled_back(attempt)


schedule_values = st.one_of(
    st.sampled_from(NASTY_CELLS), st.text(max_size=30), st.integers(-(2**70), 2**70), st.floats(),
    st.none(), st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)  # fmt: skip


@st.composite
def schedules(draw: Any) -> str:
    if draw(st.booleans()):  # CSV: lines mutated, cut, added
        lines = SCHEDULE_CSV.splitlines()
        for _ in range(draw(st.integers(0, 4))):
            i = draw(st.integers(0, len(lines)))
            value = draw(st.one_of(st.sampled_from(NASTY_CELLS), st.text(max_size=40)))
            extra = draw(st.sampled_from(["", ",x", ",x,y", ",,,"]))
            if i < len(lines) and draw(st.booleans()):
                lines[i] = f"{lines[i]}{extra}" if extra else value
            else:
                lines.insert(i, f"2025-05-0{draw(st.integers(1, 9))},{value}{extra}")
        text = "\n".join(lines)
    else:  # JSON: fields replaced by values of any type
        import json

        data = json.loads(schedule_json())
        for _ in range(draw(st.integers(0, 3))):
            target = draw(st.sampled_from(["year", "notice", "days", "day", "key"]))
            value = draw(schedule_values)
            if target in ("year", "notice", "days"):
                data[target] = value
            elif target == "day" and isinstance(data.get("days"), list) and data["days"]:
                day = data["days"][draw(st.integers(0, len(data["days"]) - 1))]
                if isinstance(day, dict):
                    day[draw(st.sampled_from(["date", "type", "name"]))] = value
            else:
                data[draw(st.text(max_size=5))] = value
        text = json.dumps(data, ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()):
        text = text[: draw(st.integers(0, len(text)))]
    return text


def test_the_schedule_seeds_load(world: Any) -> None:
    assert load_schedule(world.root, SCHEDULE_CSV) == "loaded"
    assert load_schedule(world.root, schedule_json()) == "loaded"


def test_arbitrary_schedule_files_are_loaded_or_refused(world: Any) -> None:
    outcomes: set[str] = set()

    @settings(FUZZ, max_examples=4 * EXAMPLES)
    @given(text=st.one_of(schedules(), schedules(), st.text(max_size=300)))
    @example(text="date,type,name\n2025-01-01,holiday,元旦,x,y")  # cells beyond the header: AttributeError
    @example(text='{"year": 1e400, "days": []}')  # OverflowError
    @example(text='{"days": ' + "[" * 100_000)  # RecursionError
    @example(text='{"year": 2025, "days": [{"date": "2025-01-01", "type": "holiday", "name": "\\u0000"}]}')
    @example(text="date,type,name\n2025-01-01,holiday," + "元" * 61)  # too long for PostgreSQL
    @example(text="# notice: " + "通" * 201 + "\ndate,type,name\n2025-01-01,holiday,元旦")
    def check(text: str) -> None:
        outcomes.add(load_schedule(world.root, text))

    check()
    assert outcomes == {"loaded", "rejected"}
