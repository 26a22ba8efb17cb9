"""The likely cause of a YAML syntax error, where it can be told: an unclosed quote.

A quote left open in the campaign file (`title: 'Belarus: ...` with no closing `'`) is legal
YAML up to the next quote in the file, which closes it, often lines later; PyYAML then reports
what it met after that ("found character '@' that cannot start any token", line 156), far from
the line the organiser must fix (146). PyYAML keeps where each token started and ended, but
says so only for an error inside the quoted text itself; this module reads the tokens again
to name the line where the quote opened.
"""

from __future__ import annotations

import yaml


def likely_cause(text: str, exc: yaml.MarkedYAMLError) -> str | None:
    """'the likely cause: ...' for `exc` raised reading `text`, or None if nothing is told."""
    if exc.context == "while scanning a quoted scalar" and exc.context_mark is not None:
        opened = exc.context_mark.line + 1
        return f"the likely cause: the quote opened at line {opened} is never closed"
    if exc.problem_mark is None:
        return None
    line = exc.problem_mark.line
    for token in reversed(_tokens(text)):
        if token.start_mark.line >= line:
            continue
        if (
            isinstance(token, yaml.ScalarToken)
            and token.style in ("'", '"')
            and token.end_mark.line == line
        ):
            return (
                f"the likely cause: a quote ({token.style}) opened at line "
                f"{token.start_mark.line + 1} is not closed there, so the text runs on to the "
                f"next quote, at line {line + 1}"
            )
        break  # the token before the error is no quoted text running into its line
    return None


def _tokens(text: str) -> list[yaml.Token]:
    """The tokens up to the syntax error, with those scanned ahead of it."""
    loader = yaml.SafeLoader(text)
    seen: list[yaml.Token] = []
    try:
        while loader.check_token():
            seen.append(loader.get_token())
    except yaml.YAMLError:
        seen.extend(loader.tokens)
    finally:
        loader.dispose()
    return seen
