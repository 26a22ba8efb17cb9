"""What `outreach check` tells an organiser who left a quote open in the campaign file. YAML
lets quoted text run over lines, so the quote is closed by the next quote in the file and the
error is reported there, lines later ("found character '@' that cannot start any token" at the
next channel's chat); it now names the line where the quote opened as the likely cause."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from servicekit import write_campaign

from outreach.cli import cli


@pytest.mark.parametrize(
    ("closed", "opened", "cause"),
    [
        # the next quote is the next channel's chat: '@' cannot start anything
        ("  chat: '@freeales_ru'\n", "  chat: '@freeales_ru\n", "a quote (') opened at line {n}"),
        # the next quote is on the next line: the rest of that line is not YAML
        (
            "    en: 'Belarus: human rights defenders under pressure'\n",
            "    en: 'Belarus: human rights defenders under pressure\n",
            "a quote (') opened at line {n}",
        ),
        # no other double quote in the file: it runs to the end
        ("  chat: '@freeales_ru'\n", '  chat: "@freeales_ru\n', "the quote opened at line {n} is never closed"),
    ],
)  # fmt: skip
def test_an_unclosed_quote_is_named_at_the_line_it_opened(tmp_path, closed, opened, cause):
    path = write_campaign(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert text.count(closed) == 1
    text = text.replace(closed, opened)
    path.write_text(text, encoding="utf-8")
    n = text[: text.index(opened)].count("\n") + 1
    env = {"OUTREACH_CONFIG": str(path), "OUTREACH_DB_URL": f"sqlite:///{tmp_path / 'l.sqlite3'}"}
    r = CliRunner().invoke(cli, ["check"], env=env)
    assert r.exit_code != 0
    assert f"{path}:" in r.output and "YAML syntax error" in r.output, r.output
    assert f"(the likely cause: {cause.format(n=n)}" in r.output, r.output


def test_quoted_text_over_several_lines_is_no_error(tmp_path):
    """The bundled campaign's before_you_share texts are quoted over two lines each."""
    path = write_campaign(tmp_path)
    assert "be: 'Перш чым падзяліцца" in path.read_text(encoding="utf-8")
    env = {"OUTREACH_CONFIG": str(path), "OUTREACH_DB_URL": f"sqlite:///{tmp_path / 'l.sqlite3'}"}
    r = CliRunner().invoke(cli, ["check"], env=env)
    assert r.exit_code == 0, r.output
