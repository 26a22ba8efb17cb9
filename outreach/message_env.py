"""The Jinja2 sandbox message templates run in, and how template files are named.

Kept apart from messages.py, which turns items into posts: this module knows
files, escaping and errors, nothing of channels or limits.

- Sandboxed (immutable): a template file is data written by organisers, not code.
- StrictUndefined: an undefined variable is an error, never an empty string.
- Templates of networks that post HTML (file names starting with such a
  network's name, e.g. "telegram") are autoescaped, and may not switch
  escaping off, so outside text never becomes markup.
- Any failure becomes a TemplateError naming the template file and line.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .campaign_clock import LocalFormat
from .errors import OutreachError, TemplateError

TEMPLATE_SUFFIX = ".j2"
# Control characters, and the bidi embeddings/overrides/isolates that can make a
# title read backwards (U+202E "RLO" tricks); the plain LRM/RLM marks stay.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_ESCAPE_HATCH = re.compile(r"\{%[-+]?\s*autoescape\b|\|\s*safe\b|\{%[-+]?\s*filter\s+safe\b")


def _base_name(name: str | None) -> str:
    return (name or "").rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def html_templates(prefixes: Sequence[str]) -> Callable[[str | None], bool]:
    """Whether a template (or partial) makes HTML: its file name starts with one of `prefixes`."""
    starts = tuple(prefixes)

    def is_html(name: str | None) -> bool:
        return bool(starts) and _base_name(name).startswith(starts)

    return is_html


class _NoEscapeHatch(Extension):
    """HTML templates may not switch escaping off: outside text must never become markup."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        autoescape = self.environment.autoescape
        if callable(autoescape) and autoescape(name):
            m = _ESCAPE_HATCH.search(source)
            if m:
                network = re.split(r"[._]", _base_name(name), maxsplit=1)[0].capitalize()
                raise jinja2.TemplateSyntaxError(
                    f"{m.group(0)!r} is not allowed in {network} templates: every value is "
                    "escaped so that titles and summaries can never become markup",
                    source.count("\n", 0, m.start()) + 1,
                    name,
                    filename,
                )
        return source


def _local(ctx: Any) -> LocalFormat:
    return LocalFormat(ctx["lang"])


@jinja2.pass_context
def _number(ctx: Any, value: float) -> str:
    return _local(ctx).number(value)


@jinja2.pass_context
def _date(ctx: Any, value: Any, format: str = "long") -> str:
    return _local(ctx).date(value, format)


@jinja2.pass_context
def _plural(ctx: Any, value: float, **forms: str) -> str:
    return _local(ctx).plural(value, **forms)


def make_environment(
    dirs: Sequence[Path], bundled: Path, html_prefixes: Sequence[str] = ()
) -> jinja2.Environment:
    """The sandbox: `dirs` searched in order, `default:` reaching `bundled`; templates whose
    file names start with one of `html_prefixes` are autoescaped."""
    loader = jinja2.ChoiceLoader(
        [
            jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(bundled)}, delimiter=":"),
            *(jinja2.FileSystemLoader(d) for d in dirs),
        ]
    )
    env = ImmutableSandboxedEnvironment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=html_templates(html_prefixes),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=[_NoEscapeHatch],
    )
    del env.filters["safe"]
    env.filters.update(number=_number, date=_date, plural=_plural)
    return env


def _template_line(exc: BaseException, fallback: str) -> str:
    """`file:line` of the innermost template frame: Jinja rewrites tracebacks to show them."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(TEMPLATE_SUFFIX):
            return f"{frame.filename}:{frame.lineno}"
    return fallback


@contextmanager
def template_errors(where: str) -> Iterator[None]:
    """Turn whatever a template raises into a TemplateError naming the file and line."""
    try:
        yield
    except jinja2.TemplateSyntaxError as exc:
        at = f"{exc.filename or exc.name or where}:{exc.lineno}"
        raise TemplateError(f"{at}: template syntax error: {exc.message}") from None
    except jinja2.TemplateNotFound as exc:
        at = _template_line(exc, where)
        raise TemplateError(f"{at}: no template named {exc.name!r}") from None
    except jinja2.UndefinedError as exc:
        at = _template_line(exc, where)
        raise TemplateError(f"{at}: {exc.message}") from None
    except jinja2.exceptions.SecurityError as exc:
        at = _template_line(exc, where)
        raise TemplateError(f"{at}: the template sandbox refused: {exc}") from None
    except Exception as exc:  # organisers' templates can raise anything
        at = _template_line(exc, where)
        kind = "" if isinstance(exc, OutreachError) else f"{type(exc).__name__}: "
        raise TemplateError(f"{at}: {kind}{exc}") from None


def tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row: an empty part leaves no hole."""
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def one_line(text: str) -> str:
    """A title as it goes into a post: no control characters, white space collapsed."""
    return re.sub(r"\s+", " ", _CONTROL.sub("", text)).strip()


def paragraphs(text: str) -> str:
    """A summary as it goes into a post: paragraphs kept, at most one blank line between."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    text = re.sub(r"[ \u00a0]*\n[ \u00a0]*", "\n", re.sub(r" {2,}", " ", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def template_names(kind: str, channel_kind: str, lang: str, default_lang: str) -> list[str]:
    names = [f"{kind}/{channel_kind}.{lang}{TEMPLATE_SUFFIX}"]
    if default_lang != lang:
        names.append(f"{kind}/{channel_kind}.{default_lang}{TEMPLATE_SUFFIX}")
    names.append(f"{kind}/{channel_kind}{TEMPLATE_SUFFIX}")
    return names


def is_partial(relative_name: str) -> bool:
    return any(part.startswith("_") for part in Path(relative_name).parts)
