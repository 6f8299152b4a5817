"""Chinese first, English complete: every translatable string has its zh-CN text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from web.i18n import catalog, negotiate, translate

ROOT = Path(__file__).resolve().parents[2]


def _extract(tmp_path: Path) -> set[str]:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "N_", "-k", "_", "--no-location", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with pot.open("rb") as handle:
        return {str(m.id) for m in read_po(handle) if m.id}


def test_every_source_string_has_a_chinese_translation(tmp_path: Path) -> None:
    ids = _extract(tmp_path)
    assert len(ids) > 50  # the extraction really read the sources
    translated = catalog("zh_CN")
    missing = sorted(ids - translated.keys())
    assert missing == [], f"run `make messages` and translate: {missing}"


def test_accept_language_picks_chinese_for_every_chinese_variant() -> None:
    assert negotiate("zh-Hans-CN,zh;q=0.9") == "zh_CN"
    assert negotiate("en-US,en;q=0.9,zh-CN;q=0.8") == "en"
    assert negotiate("fr-FR;q=0.9, zh-TW;q=0.5") == "zh_CN"
    assert negotiate(None) == "zh_CN"
    assert negotiate("zh-CN", requested="en") == "en"


def test_status_inside_a_message_is_translated_too() -> None:
    text = translate("zh_CN", "This job is {status} and cannot be cancelled", status="cancelled")
    assert text == "该工作已取消，不能取消"
    assert translate("en", "This job is {status} and cannot be cancelled", status="cancelled") == (
        "This job is cancelled and cannot be cancelled"
    )
