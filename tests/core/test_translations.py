"""The Simplified Chinese catalogue is complete, well-formed and in use.

* every entry of the committed ``django.po`` is translated, none is fuzzy, and
  each msgstr carries exactly the placeholders of its msgid;
* ``makemessages`` run over a copy of the source finds no string that the
  committed catalogue lacks (so a new ``_("…")`` without a translation fails);
* pages render in Chinese by default and in English when the browser asks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PO_RELATIVE = Path("gongkai") / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PO_PATH = ROOT / PO_RELATIVE

# %(name)s, %(n)d, %s … and the literal "%%"; enough for python-format strings.
PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]+)\))?[#0 +-]*\d*(?:\.\d+)?(?P<conv>[diouxXeEfFgGcrsa%])")


def _placeholders(text: str) -> list[str]:
    return sorted(m.group(0) for m in PLACEHOLDER.finditer(text) if m.group("conv") != "%")


def _key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _label(key: tuple[str, str, str]) -> str:
    ctxt, msgid, plural = key
    return (f"[{ctxt}] " if ctxt else "") + repr(msgid) + (f" / {plural!r}" if plural else "")


def _catalogue() -> polib.POFile:
    assert PO_PATH.is_file(), f"{PO_RELATIVE} is missing: run manage.py makemessages -l zh_Hans"
    return polib.pofile(str(PO_PATH))


def _live(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete]


def test_header_declares_simplified_chinese() -> None:
    po = _catalogue()
    assert po.metadata.get("Language") == "zh_Hans"
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    assert po.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"


def test_every_entry_is_translated_and_not_fuzzy() -> None:
    entries = _live(_catalogue())
    assert entries, "the catalogue holds no messages"
    untranslated, fuzzy = [], []
    for e in entries:
        if e.msgid_plural:
            forms = [e.msgstr_plural.get(i, "") for i in range(max(1, len(e.msgstr_plural)))]
            if not forms or not all(f.strip() for f in forms):
                untranslated.append(_label(_key(e)))
        elif not e.msgstr.strip():
            untranslated.append(_label(_key(e)))
        if "fuzzy" in e.flags:
            fuzzy.append(_label(_key(e)))
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy entries (check the translation, then drop the flag):\n" + "\n".join(fuzzy)


def test_translations_keep_the_placeholders() -> None:
    wrong = []
    for e in _live(_catalogue()):
        if "python-format" not in e.flags:
            continue
        if e.msgid_plural:
            # One Chinese form serves singular and plural, so it must carry the plural's placeholders.
            expected = _placeholders(e.msgid_plural)
            translations = [e.msgstr_plural[i] for i in sorted(e.msgstr_plural)]
        else:
            expected = _placeholders(e.msgid)
            translations = [e.msgstr]
        for text in translations:
            if text and _placeholders(text) != expected:
                wrong.append(f"{_label(_key(e))}: expected {expected}, got {_placeholders(text)} in {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_catalogue_compiles_cleanly(tmp_path: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is not installed (make messages installs it)"
    result = subprocess.run(
        [msgfmt, "--check", "-o", str(tmp_path / "django.mo"), str(PO_PATH)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_makemessages_finds_nothing_new(tmp_path: Path) -> None:
    """Extract the messages from a copy of the source and compare with the committed catalogue."""
    assert shutil.which("xgettext"), "gettext's xgettext is not installed (make messages installs it)"
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT / "gongkai",
        copy / "gongkai",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "*.po", "static", "staticfiles"),
    )
    shutil.copy2(ROOT / "manage.py", copy / "manage.py")
    (copy / "gongkai" / "locale").mkdir(exist_ok=True)

    env = {**os.environ, "PYTHONPATH": str(copy), "GONGKAI_ENV": "test"}
    # Keep the copy's settings from writing outside the temporary directory.
    env["DATABASE_URL"] = f"sqlite:///{copy / 'var' / 'db.sqlite3'}"
    env["STATIC_ROOT"] = str(copy / "staticfiles")
    env["MEDIA_ROOT"] = str(copy / "var" / "media")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans", "--no-location", "-v0"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    fresh_path = copy / PO_RELATIVE
    assert fresh_path.is_file(), "makemessages wrote no catalogue into the copy"
    assert PO_PATH.is_file()  # the committed catalogue is untouched

    fresh = {_key(e) for e in _live(polib.pofile(str(fresh_path)))}
    committed = {_key(e) for e in _live(_catalogue())}
    missing = sorted(fresh - committed)
    assert not missing, (
        f"{len(missing)} message(s) are not in {PO_RELATIVE}; run `manage.py makemessages -l zh_Hans "
        "--ignore=.venv --ignore=tests --ignore=bench --no-location`, translate them and compile:\n"
        + "\n".join(_label(k) for k in missing)
    )


def _login_page(client: Any, **extra: Any) -> str:
    response = client.get("/office/login/", **extra)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_pages_are_chinese_by_default(client: Any) -> None:
    assert settings.LANGUAGE_CODE == "zh-hans"
    html = _login_page(client)
    assert 'lang="zh-Hans"' in html
    assert "登录后台" in html and "登录" in html
    assert "Sign in" not in html


@pytest.mark.django_db
def test_pages_follow_accept_language(client: Any) -> None:
    html = _login_page(client, HTTP_ACCEPT_LANGUAGE="en")
    assert 'lang="en"' in html
    assert "Sign in to the back office" in html and "Sign in" in html
    assert "登录" not in html


@pytest.mark.django_db
def test_pages_follow_the_language_cookie(client: Any) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _login_page(client, HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "Sign in" in html and "登录" not in html

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = _login_page(client, HTTP_ACCEPT_LANGUAGE="en")
    assert "登录" in html and "Sign in" not in html
