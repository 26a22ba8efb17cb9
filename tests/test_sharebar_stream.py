"""The export streams: bars are written as they are made, and the demo page stays small."""

from __future__ import annotations

import json

import pytest

from outreach.config import load_config
from outreach.content import Item, all_items
from outreach.errors import FitError
from outreach.share import BUNDLED_TARGETS, export, iter_export, load_targets
from outreach.share import exporter as sharebar

TARGETS = load_targets(BUNDLED_TARGETS)


@pytest.fixture(scope="module")
def cfg():
    return load_config(None, {})


def many(cfg, n: int) -> list[Item]:
    seed = all_items(cfg)[0]
    return [
        Item(kind="page", id=f"p{i}", url=f"{seed.url}p/{i}/", title={"en": f"Page {i}"})
        for i in range(n)
    ]


def test_the_demo_page_shows_the_first_items_and_says_how_many_more(cfg, tmp_path, monkeypatch):
    monkeypatch.setattr(sharebar, "DEMO_ITEMS", 2)
    out = tmp_path / "bars"
    result = export(cfg, TARGETS, many(cfg, 5), out, languages=["en"])
    assert result.bars == 5 and len(list((out / "bars").glob("*.html"))) == 5
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count('class="sb-card"') == 2
    assert "Page 0" in index and "Page 1" in index and "Page 2" not in index
    assert "and 3 more items, not shown here" in index
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [b["item"] for b in manifest["bars"]] == [f"p{i}" for i in range(5)]


def test_a_small_campaign_shows_everything_and_no_note(cfg):
    files = sharebar.render_export(cfg, TARGETS, all_items(cfg), languages=["en"])
    assert "not shown here" not in files["index.html"]
    assert files["index.html"].count('class="sb-card"') == len(all_items(cfg))


def test_bars_are_made_as_they_are_consumed(cfg):
    made = []

    def items():
        for item in many(cfg, 3):
            made.append(item.id)
            yield item

    files = iter_export(cfg, TARGETS, items(), languages=["en"])
    assert made == []  # nothing made until asked
    assert next(files)[0] == "bars/p0.en.html"
    assert made == ["p0"]


def test_a_bar_failing_midway_leaves_no_trace(cfg, tmp_path):
    out = tmp_path / "bars"
    bad = Item(
        kind="page", id="long", url="https://freeales.fidh.net/" + "a" * 400, title={"en": "x"}
    )
    with pytest.raises(FitError):
        export(cfg, TARGETS, [*many(cfg, 3), bad], out, languages=["en"])
    assert list(tmp_path.iterdir()) == []
