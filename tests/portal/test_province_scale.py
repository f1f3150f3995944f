"""The portal at a province's size: a short directory on the home page, facet counts that may lag."""

from __future__ import annotations

import re

import pytest

from gongkai.orgs.actions import create_organisation
from gongkai.orgs.models import OrgKind
from gongkai.portal import queries, views
from gongkai.portal.queries import FacetCounts, published
from tests.factories import org_code

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_the_top_governments_units_when_there_are_many(world, en, monkeypatch):
    province = create_organisation(
        actor=world.root, parent=None, name="湘中省人民政府", kind=OrgKind.GOVERNMENT, code=org_code()
    )
    county = create_organisation(
        actor=world.root, parent=province, name="新设县人民政府", kind=OrgKind.GOVERNMENT, code=org_code()
    )
    create_organisation(
        actor=world.root, parent=county, name="新设县财政局", kind=OrgKind.DEPARTMENT, code=org_code()
    )
    page = en.get("/").content.decode()
    assert set(re.findall(r'<h3 id="gov-(\d+)">', page)) >= {
        str(province.pk),
        str(county.pk),
        str(world.county.pk),
    }
    assert "新设县财政局" in page
    monkeypatch.setattr(views, "DIRECTORY_MAX", 1)
    page = en.get("/?x=1").content.decode()  # another page of the cache
    sections = set(re.findall(r'<h3 id="gov-(\d+)">', page))
    assert str(province.pk) in sections and str(county.pk) not in sections  # a government below: a card
    assert f'href="/units/{county.pk}/"' in page and "新设县财政局" not in page  # its units: on its page
    assert str(world.county.pk) in sections  # a top government of its own


def total() -> int:
    """The site-wide catalogue's count, as the home page and /catalogue/ read it."""
    return FacetCounts.of(published(None, "item"), None, None, "").total


@pytest.mark.parametrize("large", [False, True])
def test_facet_counts_follow_a_publication_unless_the_catalogue_is_large(
    world, publish, django_capture_on_commit_callbacks, monkeypatch, large
):
    if large:
        monkeypatch.setattr(queries, "FACET_LAG_FROM", 1)  # a "large" catalogue of one item
    with django_capture_on_commit_callbacks(execute=True):
        publish()
    assert total() == 1
    with django_capture_on_commit_callbacks(execute=True):
        publish()
    # Small: counted afresh (the generation changed). Large: the kept counts, under a minute old.
    assert total() == (1 if large else 2)
    now = queries.time.time()
    monkeypatch.setattr(queries.time, "time", lambda: now + queries.FACET_LAG_SECONDS + 1)
    assert total() == 2
