"""Reading YAML: the fast reader (libyaml's events) gives what the line-tracking loader
gives, and leaves to it everything it does not decide itself; errors still name the line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from outreach.config import BUNDLED_CONFIG, load_config
from outreach.errors import ConfigError
from outreach.yaml_exact import _exact_load
from outreach.yaml_fast import _fast_load
from outreach.yaml_rules import MAX_VALUES
from outreach.yamlfile import parse_yaml

pytestmark = pytest.mark.skipif(
    not yaml.__with_libyaml__, reason="PyYAML without libyaml: only the exact loader runs"
)

SAME = [
    BUNDLED_CONFIG.read_text(encoding="utf-8"),
    "a: 1\nb: -2.5\nc: 0x1F\nd: 1_000\ne: .inf\nf: ~\ng: null\nh: yes\ni: False\nj: ''\n",
    "date: 2011-08-04\nat: 2026-08-04 10:00\ncron: '0 10 * * 1'\nplain: 0 10 * * 1\n",
    "k: [1, 'two', \"three\", {four: 4}]\n2: int key\ntrue: bool key\n~: null key\n",
    'text: |\n  kept\n  lines\nfolded: >-\n  one\n  line\nquoted: "a\\tb \\u00e9"\n',
    "base: &b {x: 1, y: [1, 2]}\nuse: *b\nlist: [*b, *b]\nscalar: &s hi\nagain: *s\n",
    "# only a comment\n",
    "",
    "- 1\n- [2, [3, [4]]]\n",
    "empty_map: {}\nempty_list: []\nkey with spaces: v\n'quoted key': v\n",
    "tagged: !!str 123\nbinary: !!binary aGk=\n",  # explicit tags: left to the exact loader
]


@pytest.mark.parametrize("text", SAME, ids=range(len(SAME)))
def test_the_fast_reader_reads_as_the_exact_loader(text):
    path = Path("x.yaml")
    fast, exact = parse_yaml(text, path), _exact_load(text, path)
    assert fast.data == exact.data
    assert type(fast.data) is type(exact.data)
    # Every line the exact loader knows is the same (the fast map may know fewer
    # inside aliases: line_of then gives the alias's own line).
    for loc, line in exact.lines.items():
        assert fast.line_of(loc) == line or fast.line_of(loc) in exact.lines.values()
    if "&" not in text:
        assert fast.lines == exact.lines


def test_the_bundled_campaign_is_read_fast_with_every_line():
    text = BUNDLED_CONFIG.read_text(encoding="utf-8")
    assert _fast_load(text) == _exact_load(text, BUNDLED_CONFIG).data
    doc = parse_yaml(text, BUNDLED_CONFIG)
    assert doc.lines == _exact_load(text, BUNDLED_CONFIG).lines


@pytest.mark.parametrize(
    "text, message",
    [
        ("a: 1\nb: 2\na: 3\n", "x.yaml:3: YAML syntax error: duplicate key 'a' (first on line 1)"),
        ("b: &b {x: 1}\nm: {<<: *b}\n", "x.yaml:2: YAML syntax error"),  # no merge keys
        ("a: [1, 2\n", "x.yaml:2: YAML syntax error"),
        ("a: 1\n---\nb: 2\n", "x.yaml:2: YAML syntax error: expected a single document"),
        ("loop: &l [1, *l]\n", "x.yaml:1: a YAML alias (*name) refers to a value that contains it"),
        ("deep: " + "[" * 150 + "]" * 150 + "\n", "x.yaml:1: nested more than 100 levels"),
    ],
)
def test_what_the_fast_reader_refuses_is_named_by_the_exact_loader(text, message):
    with pytest.raises(ConfigError) as err:
        parse_yaml(text, "x.yaml")
    assert str(err.value).startswith(message)


def test_aliases_are_bounded_but_values_written_out_are_not():
    # More values than MAX_VALUES written out: a campaign's own size bounds them.
    many = "".join(f"- {{id: p{i}, n: {i}}}\n" for i in range(MAX_VALUES // 2))
    assert len(parse_yaml(many, "x.yaml").data) == MAX_VALUES // 2
    # The same number reached through aliases is refused, naming the line.
    bomb = "a: &a [" + ", ".join(["x"] * 1000) + "]\n"
    bomb += "b: [" + ", ".join(["*a"] * (MAX_VALUES // 1000 + 1)) + "]\n"
    with pytest.raises(ConfigError, match=r"x\.yaml:\d+: the file stands for more than"):
        parse_yaml(bomb, "x.yaml")


def test_an_error_deep_in_a_large_campaign_names_its_line(tmp_path):
    pages = "".join(
        f"  - id: p{i}\n    url: https://example.org/{i}/\n    title: Page {i}\n"
        for i in range(3000)
    )
    pages += "  - id: bad\n    url: javascript:alert(1)\n    title: Bad\n"
    text = BUNDLED_CONFIG.read_text(encoding="utf-8").replace("pages:\n", "pages:\n" + pages, 1)
    path = tmp_path / "outreach.yaml"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "news.xml").write_text("<rss/>", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path, {})
    line = text.splitlines().index("    url: javascript:alert(1)") + 1
    assert f"{path}:{line}: pages[3000].url" in "\n".join(err.value.problems), err.value.problems
