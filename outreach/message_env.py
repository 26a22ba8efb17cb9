"""The Jinja2 sandbox message templates run in.

Kept apart from messages.py, which turns items into posts: this module knows
files, escaping and errors, nothing of channels or limits. How template files
are named and texts tidied (no Jinja2) is message_text's, re-exported here;
messages.py imports this module when it first renders (issue 15: a run with
nothing to render loads no Jinja2).

- Sandboxed (immutable): a template file is data written by organisers, not code.
- StrictUndefined: an undefined variable is an error, never an empty string.
- Templates of networks that post HTML (file names starting with such a
  network's name, e.g. "telegram") are autoescaped, and may not switch
  escaping off, so outside text never becomes markup.
- Any failure becomes a TemplateError naming the template file and line.
- Bounded work: the sandbox itself, with its bounds on what a render may do, is
  template_sandbox.py's (BoundedSandbox); a bound passed is a TemplateError here.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jinja2
import jinja2.visitor
from jinja2 import nodes
from jinja2.ext import Extension

from .campaign_clock import LocalFormat
from .errors import OutreachError, TemplateError
from .message_text import TEMPLATE_SUFFIX
from .message_text import is_partial as is_partial
from .message_text import one_line as one_line
from .message_text import paragraphs as paragraphs
from .message_text import template_data as template_data
from .message_text import template_names as template_names
from .message_text import tidy as tidy
from .template_sandbox import BoundedSandbox, TemplateLimit

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


class _Undefined(jinja2.StrictUndefined):
    """StrictUndefined whose message about one of our objects says what it has instead.

    "item has no attribute 'titel' (it has: id, kind, title, ...)" rather than
    "'outreach.template_context.ItemView object' has no attribute 'titel'": organisers
    write these templates, and the class of a value is nothing to them.
    """

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        obj, name = self._undefined_obj, self._undefined_name
        if self._undefined_hint or obj is jinja2.utils.missing or not isinstance(name, str):
            return super()._undefined_message
        cls = type(obj)
        if not cls.__module__.startswith("outreach."):
            return super()._undefined_message
        if dataclasses.is_dataclass(obj):
            known = [f.name for f in dataclasses.fields(obj)]
        else:
            known = sorted(
                n
                for n in dir(obj)
                if not n.startswith("_")
                and not isinstance(
                    inspect.getattr_static(cls, n, None), (classmethod, staticmethod)
                )
            )
        shown = (
            cls.__name__.removesuffix("View").lower()
            if cls.__name__.endswith("View")
            else cls.__name__
        )
        return f"{shown} has no attribute {name!r} (it has: {', '.join(known)})"


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


class TypedAsText(jinja2.visitor.NodeTransformer):
    """The words of a template as constants, which an autoescaped template escapes
    (an organiser's one-off text: messages.Messages.one_off_template)."""

    def visit_TemplateData(self, node: nodes.TemplateData) -> nodes.Const:
        return nodes.Const(node.data, lineno=node.lineno)


def make_environment(
    dirs: Sequence[Path], bundled: Path, html_prefixes: Sequence[str] = ()
) -> BoundedSandbox:
    """The sandbox: `dirs` searched in order, `default:` reaching `bundled`; templates whose
    file names start with one of `html_prefixes` are autoescaped."""
    loader = jinja2.ChoiceLoader(
        [
            jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(bundled)}, delimiter=":"),
            *(jinja2.FileSystemLoader(d) for d in dirs),
        ]
    )
    env = BoundedSandbox(
        loader=loader,
        undefined=_Undefined,
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
    except TemplateLimit as exc:
        at = _template_line(exc, where)
        raise TemplateError(f"{at}: the template asks for too much: {exc}") from None
    except jinja2.exceptions.SecurityError as exc:
        at = _template_line(exc, where)
        raise TemplateError(f"{at}: the template sandbox refused: {exc}") from None
    except (MemoryError, RecursionError, OverflowError) as exc:
        at = _template_line(exc, where)
        raise TemplateError(
            f"{at}: the template asks for too much ({type(exc).__name__})"
        ) from None
    except Exception as exc:  # organisers' templates can raise anything
        at = _template_line(exc, where)
        kind = "" if isinstance(exc, OutreachError) else f"{type(exc).__name__}: "
        raise TemplateError(f"{at}: {kind}{exc}") from None
