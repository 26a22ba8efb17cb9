"""Check a text against Telegram's HTML subset (parse_mode=HTML).

Telegram refuses a whole message over one unknown tag or a stray '&', so a
rendered post is checked here, at preview time, rather than by the Bot API at
send time. The rules are Telegram's "HTML style" formatting options:
https://core.telegram.org/bots/api#html-style
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# tag -> attributes it may carry
ALLOWED_TAGS: dict[str, frozenset[str]] = {
    "b": frozenset(),
    "strong": frozenset(),
    "i": frozenset(),
    "em": frozenset(),
    "u": frozenset(),
    "ins": frozenset(),
    "s": frozenset(),
    "strike": frozenset(),
    "del": frozenset(),
    "span": frozenset({"class"}),
    "tg-spoiler": frozenset(),
    "a": frozenset({"href"}),
    "code": frozenset({"class"}),
    "pre": frozenset(),
    "blockquote": frozenset({"expandable"}),
    "tg-emoji": frozenset({"emoji-id"}),
}
LINK_SCHEMES = ("http://", "https://", "tg://", "mailto:")
# Telegram decodes only &lt; &gt; &amp; &quot; and numeric entities.
_AMP = re.compile(r"&(?!(?:lt|gt|amp|quot|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});)")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        # Entities reach handle_data undecoded, so a raw '<' in text can be told from '&lt;'.
        super().__init__(convert_charrefs=False)
        self.problems: list[str] = []
        self.stack: list[str] = []

    def _where(self) -> str:
        line, col = self.getpos()
        return f"line {line}, column {col + 1}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"{self._where()}: <{tag}> is not a tag Telegram allows")
            return
        for name, value in attrs:
            if name not in ALLOWED_TAGS[tag]:
                self.problems.append(f"{self._where()}: <{tag}> may not have {name!r}")
            elif tag == "a" and not (value or "").startswith(LINK_SCHEMES):
                self.problems.append(
                    f"{self._where()}: link {value!r} is not http(s), tg or mailto"
                )
            elif tag == "span" and value != "tg-spoiler":
                self.problems.append(f'{self._where()}: <span> needs class="tg-spoiler"')
            elif tag == "code" and not (value or "").startswith("language-"):
                self.problems.append(f"{self._where()}: <code class> must be language-…")
        if tag == "span" and not attrs:
            self.problems.append(f'{self._where()}: <span> needs class="tg-spoiler"')
        inside = set(self.stack)
        if "code" in inside or ("pre" in inside and tag != "code"):
            self.problems.append(f"{self._where()}: <{tag}> inside <pre>/<code> is not formatted")
        elif tag in inside and tag in ("a", "blockquote"):
            self.problems.append(f"{self._where()}: <{tag}> inside <{tag}>")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"{self._where()}: <{tag}/>: Telegram has no self-closing tags")

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"{self._where()}: </{tag}> is not a tag Telegram allows")
            return
        if not self.stack or self.stack[-1] != tag:
            open_tag = f"<{self.stack[-1]}> is still open" if self.stack else "nothing is open"
            self.problems.append(f"{self._where()}: </{tag}> does not close anything ({open_tag})")
            if tag in self.stack:
                while self.stack and self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        for ch in "<>":
            if ch in data:
                self.problems.append(f"{self._where()}: a bare {ch!r} must be written as an entity")

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"{self._where()}: HTML comments are not allowed")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"{self._where()}: <!{decl}> is not allowed")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"{self._where()}: <?{data}> is not allowed")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"{self._where()}: <![{data}]> is not allowed")


def problems(text: str) -> list[str]:
    """Everything in `text` Telegram would refuse in parse_mode=HTML; [] when it is fine."""
    found = []
    for m in _AMP.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        found.append(
            f"line {line}: a bare '&' must be written as &amp; (Telegram knows only &lt; &gt; &amp; &quot;)"
        )
    checker = _Checker()
    checker.feed(text)
    checker.close()
    if checker.rawdata:
        found.append(f"unfinished markup at the end: {checker.rawdata[:40]!r}")
    found.extend(checker.problems)
    found.extend(f"<{tag}> is never closed" for tag in reversed(checker.stack))
    return found
