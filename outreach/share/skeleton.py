"""A share bar's HTML rendered once per language, then filled in per page.

Every bar of one language has the same buttons, labels, icons, notes and
hints; only the page's own values differ: the bar's id and title, and each
link's href, page URL and parameters. Jinja2 renders the bar once with a
placeholder for each of them; a page's bar is then the text between the
placeholders joined with its values, escaped as Jinja2's autoescape escapes
them (markupsafe). This took rendering from about half of `outreach buttons`
to a few per cent (bench/buttons_cli.py).

It holds while sharebar.html.j2 only prints those values. A template that
filtered or tested one would change or drop its placeholder, or give other
text than the skeleton for empty values or long ones full of markup: make()
then returns None and every bar is rendered in full. Renderer.bar also keeps
a skeleton only if it gives the first bar of its language exactly as Jinja2 did. tests/test_sharebar_skeleton.py
compares whole exports made both ways.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import escape

from .links import ShareLink

if TYPE_CHECKING:
    from .bar import Renderer

Getter = Callable[[str, str, list[ShareLink]], str]
"""(uid, title, links) -> one value of one bar, before escaping."""


@dataclass(frozen=True)
class Skeleton:
    texts: tuple[str, ...]
    """The bar's HTML between the placeholders: one more than there are slots."""
    slots: tuple[Getter, ...]
    """What each placeholder stands for."""
    shown: tuple[int, ...]
    """The links' indexes in the order the bar shows them."""

    def fill(self, uid: str, title: str, links: list[ShareLink]) -> tuple[str, list[ShareLink]]:
        """This page's bar, and its links in the order the bar shows them."""
        out = [self.texts[0]]
        for get, text in zip(self.slots, self.texts[1:], strict=True):
            out.append(escape(get(uid, title, links)))
            out.append(text)
        return "".join(out), [links[i] for i in self.shown]

    @classmethod
    def make(cls, renderer: Renderer, links: list[ShareLink], lang: str) -> Skeleton | None:
        """The skeleton of `lang`'s bars, from one page's links; None when the template
        does more with a page's values than print them."""
        getters: list[Getter] = []

        def slot(get: Getter) -> str:
            getters.append(get)
            return f"{_MARK}{len(getters) - 1}x"  # letters and digits: unchanged by escaping

        html = _render(renderer, links, lang, slot)
        pieces = re.split(f"{_MARK}(\\d+)x", html)
        texts = tuple(pieces[0::2])
        used = [int(n) for n in pieces[1::2]]
        if any(n >= len(getters) for n in used) or any(_MARK in text for text in texts):
            return None
        index = {link.network: i for i, link in enumerate(links)}
        first, rest = renderer.buttons(links, lang)
        shown = tuple(index[b.link.network] for b in first + rest)
        skeleton = cls(texts, tuple(getters[n] for n in used), shown)
        # Values that a template testing them (empty? long? markup?) would treat
        # unlike the placeholders: Jinja2 must give what the skeleton gives.
        for value in _CHECKS:
            probes: list[ShareLink] = []
            html = _render(renderer, links, lang, _constant(value), probes)
            if skeleton.fill(value, value, probes)[0] != html:
                return None
        return skeleton


_MARK = "sbslot"
_CHECKS = ("", "\"<&>' " + "x" * 300)


def _render(
    renderer: Renderer,
    links: list[ShareLink],
    lang: str,
    value: Callable[[Getter], str],
    probes: list[ShareLink] | None = None,
) -> str:
    """The bar in full, each page value replaced by value(what it is); the links so
    made are added to `probes`."""
    made = []
    uid = value(lambda uid, title, links: uid)
    title = value(lambda uid, title, links: title)
    for i, link in enumerate(links):
        params = {name: value(_param(i, name)) for name in link.params}
        href, page_url = value(_field(i, "href")), value(_field(i, "page_url"))
        made.append(dataclasses.replace(link, href=href, page_url=page_url, params=params))
    if probes is not None:
        probes.extend(made)
    # The buttons are worked out from the real links (a mailto: href opens no new tab).
    first, rest = renderer.buttons(links, lang)
    swap = {link.network: probe for link, probe in zip(links, made, strict=True)}
    first = [dataclasses.replace(b, link=swap[b.link.network]) for b in first]
    rest = [dataclasses.replace(b, link=swap[b.link.network]) for b in rest]
    return renderer.render_bar(first, rest, lang, uid, title)


def _constant(value: str) -> Callable[[Getter], str]:
    return lambda get: value


def _param(i: int, name: str) -> Getter:
    return lambda uid, title, links: links[i].params[name]


def _field(i: int, name: str) -> Getter:
    return lambda uid, title, links: getattr(links[i], name)
