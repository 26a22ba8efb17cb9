"""A bar filled into its language's skeleton is the bar Jinja2 renders in full, byte for byte."""

from __future__ import annotations

import jinja2
import pytest

from outreach.content import Item, all_items
from outreach.share import BUNDLED_TARGETS, load_targets, select
from outreach.share.bar import TEMPLATES, Renderer, _env

TARGETS = load_targets(BUNDLED_TARGETS)
AWKWARD = "Q&A: <b>\"free\" them</b> 'now' sbslot1x {title} %s — Вызваліце"


def items(cfg) -> list[Item]:
    odd = [
        Item(
            kind="page", id="odd", url="https://freeales.fidh.net/a?b=1&c=<2>", title={"*": AWKWARD}
        ),
        Item(kind="news", id="news:x", url="https://freeales.fidh.net/n/", title={"en": ""}),
        Item(
            kind="page",
            id="long",
            url="https://freeales.fidh.net/l/",
            title={"*": "word " * 200},
            summary={"*": "summary " * 300},
        ),
    ]
    return [*all_items(cfg), *odd]


def variant(cfg, **bar):
    share = cfg.share.model_copy(update={"bar": cfg.share.bar.model_copy(update=bar)})
    return cfg.model_copy(update={"share": share})


def utm(cfg):
    share = cfg.share.model_copy(update={"utm": cfg.share.utm.model_copy(update={"enabled": True})})
    return cfg.model_copy(update={"share": share})


VARIANTS = {
    "bundled": lambda cfg: cfg,
    "no-more": lambda cfg: variant(cfg, compact=False),
    "icons-vertical": lambda cfg: variant(cfg, style="icons", direction="vertical"),
    "same-tab": lambda cfg: variant(cfg, new_tab=False, first={}),
    "utm": utm,  # a page URL per network
}


def share_text(item: Item, lang: str) -> str:
    return f'{item.title_in(lang)} — <&> "{lang}" sbslot0x'


@pytest.mark.parametrize("name", VARIANTS)
def test_every_bar_is_what_jinja2_renders(bundled_config, name):
    cfg = VARIANTS[name](bundled_config)
    offered = select(cfg, TARGETS).offered
    fast = Renderer(cfg, offered, share_text=share_text)
    full = Renderer(cfg, offered, share_text=share_text, fast=False)
    for item in items(cfg):
        for lang in cfg.campaign.languages:
            a, b = fast.bar(item, lang), full.bar(item, lang)
            assert a.html == b.html, (item.id, lang)
            assert a.links == b.links
    # ...and the skeletons were made and used, not skipped.
    assert all(fast._per_lang[lang].skeleton is not None for lang in cfg.campaign.languages)


def test_a_template_that_tests_a_value_is_rendered_in_full(bundled_config):
    # A bar template that does more with a page's title than print it: no skeleton.
    source = (TEMPLATES / "sharebar.html.j2").read_text(encoding="utf-8")
    source = source.replace(
        "<nav ", '{% if title | length > 12 %}<p class="long"></p>{% endif %}<nav ', 1
    )
    env = _env()
    env.loader = jinja2.ChoiceLoader(
        [jinja2.DictLoader({"sharebar.html.j2": source}), jinja2.FileSystemLoader(TEMPLATES)]
    )
    cfg = bundled_config
    offered = select(cfg, TARGETS).offered
    r = Renderer(cfg, offered, env=env)
    short = Item(kind="page", id="s", url="https://freeales.fidh.net/s/", title={"*": "Short"})
    long = Item(
        kind="page",
        id="l",
        url="https://freeales.fidh.net/l/",
        title={"*": "A title of some length"},
    )
    assert 'class="long"' not in r.bar(short, "en").html
    assert 'class="long"' in r.bar(long, "en").html
    assert r._per_lang["en"].skeleton is None
