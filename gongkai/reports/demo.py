"""The demo's annual reports, made through the actions as the county's office would.

2013: the county's report in the 2008-era format, computed from the demo's records, with the
narrative the county actually published (the seed report's seven parts) in place of the draft;
R6 checks every figure it quotes against the computed cells before it is signed off and
published. The current year: the county's report in the 2021 standard format, generated as a
draft from the year's records (carry-overs, every kind of result, review and litigation cases).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.utils import timezone

from gongkai.orgs.models import Organisation
from gongkai.reports import actions, drafting
from gongkai.reports.models import AnnualReport

SEED_REPORT = Path(__file__).parent / "data" / "youxian_2013_annual_report.txt"
SEED_YEAR = 2013
HEADING = re.compile(r"^([一二三四五六七])、.*$", re.MULTILINE)


def seed_sections() -> dict[str, str]:
    """The seed report's text split into the 2008 format's seven parts (the preamble opens the first)."""
    text = SEED_REPORT.read_text(encoding="utf-8")
    body = text.split("\n\n", 2)[2]  # after the title and the publication line
    keys = [k for k, _heading in drafting.SECTIONS["2008"]]
    marks = list(HEADING.finditer(body))
    assert len(marks) == len(keys), "the seed report has seven parts"
    sections = {}
    for i, (key, mark) in enumerate(zip(keys, marks, strict=True)):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        sections[key] = body[mark.end() : end].strip()
    preamble = body[: marks[0].start()].strip()
    sections[keys[0]] = f"{preamble}\n\n{sections[keys[0]]}"
    return sections


def load(*, county: Organisation, reviewer: Any, report: Any = None) -> dict[str, AnnualReport]:
    seed = actions.generate_report(actor=reviewer, organisation=county, year=SEED_YEAR, template="2008")
    seed = actions.edit_narrative(actor=reviewer, report=seed, sections=seed_sections())
    seed = actions.review_report(actor=reviewer, report=seed)
    actions.publish_report(actor=reviewer, report=seed)
    current = actions.generate_report(
        actor=reviewer, organisation=county, year=timezone.localdate().year, template="2021"
    )
    if report is not None:
        report("reports", 1, 1)  # the progress hook takes (stage, done, total)
    return {"seed": seed, "current": current}
