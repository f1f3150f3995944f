"""Fixtures for the bulk import, export and items API tests."""

from __future__ import annotations

import csv
import io
import json as _json
from datetime import date
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """argon2 is checked in tests/accounts; a fast hasher keeps the personas cheap."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages in English (the source language), so that tests can match them."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def api(client: Any) -> Any:
    """``api.get(path, token=raw)`` etc.: JSON requests to /api/v1/ with an optional bearer token,
    asking for English messages so that tests can match them."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    class Api:
        def _headers(self, token: str | None) -> dict[str, str]:
            return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}

        def get(self, path: str, token: str | None = None, **params: Any) -> Any:
            return client.get(f"/api/v1{path}", params, **self._headers(token))

        def send(self, method: str, path: str, body: Any, token: str | None = None) -> Any:
            return getattr(client, method)(
                f"/api/v1{path}", _json.dumps(body), content_type="application/json", **self._headers(token)
            )

        def post(self, path: str, body: Any = None, **kw: Any) -> Any:
            return self.send("post", path, body if body is not None else {}, **kw)

        def patch(self, path: str, body: Any, **kw: Any) -> Any:
            return self.send("patch", path, body, **kw)

    return Api()


@pytest.fixture
def token(world: Any) -> Any:
    """``token("clerk_a", "write")``: a fresh raw API token for that persona."""
    from gongkai.accounts.actions import create_api_token

    def make(persona: str, scope: str = "read") -> str:
        return create_api_token(actor=getattr(world, persona), name=f"{persona} {scope}", scope=scope)[1]

    return make


@pytest.fixture
def as_(client: Any, world: Any) -> Any:
    """``as_("clerk_a")``: the test client signed in as that persona, asking for English pages."""

    def sign_in(who: Any) -> Any:
        client.logout()
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        user = getattr(world, who) if isinstance(who, str) else who
        if getattr(user, "is_authenticated", False):
            client.force_login(user)
        return client

    return sign_in


HEADER = ["名称", "文号", "发布机构", "主题分类", "体裁分类", "类型", "成文日期", "生成日期", "发布日期", "有效性", "主题词",
          "内容概述", "正文"]  # fmt: skip


def row(org: Any, n: int, **over: Any) -> dict[str, Any]:
    """One row of an items table (by column name)."""
    values = {
        "名称": f"攸县关于第{n}项工作的通知", "文号": f"攸财发〔2013〕{n}号", "发布机构": org.name, "主题分类": "财政预决算",
        "体裁分类": "通知公告", "类型": "公开信息", "成文日期": "2013-03-01", "生成日期": "2013-03-04",
        "发布日期": "2013-03-15", "有效性": "有效", "主题词": "财政 预算", "内容概述": f"第{n}项工作。",
        "正文": f"<p>第{n}项工作的正文。</p>",
    }  # fmt: skip
    values.update(over)
    return values


def csv_bytes(rows: list[dict[str, Any]], header: list[str] | None = None, encoding: str = "utf-8") -> bytes:
    header = header or HEADER
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(h, "") for h in header])
    return out.getvalue().encode(encoding)


def xlsx_bytes(rows: list[dict[str, Any]], header: list[str] | None = None) -> bytes:
    import openpyxl

    header = header or HEADER
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append([r.get(h) for h in header])
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
