"""BoundedSandbox: Jinja2's immutable sandbox with bounds on the work a render may do.

Apart from message_env.py, which sets the sandbox up for message templates (files,
escaping, undefined names, filters, errors): this module holds the sandbox class,
what a template may not do and how each bound is checked, with the two things the
class also decides (which fields of our values a template reads, DATA_FIELDS; a
batch's template lookups pinned, BoundedSandbox.pinned).

Bounded work: Jinja2's sandbox limits range() only, so `{{ 'x' * 10**10 }}` would
hang `check`. Here every operation that makes a value grow (`*`, `**`, `+`, `~`,
string methods and filters taking a width or count, `%` and format widths) is
refused past MAX_TEXT characters or MAX_NUMBER_BITS bits, every `for` loop of one
render shares MAX_STEPS iterations, and a render stops at MAX_TEXT characters of
output; each raises TemplateLimit, which message_env.template_errors turns into a
TemplateError naming file and line.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.sandbox import ImmutableSandboxedEnvironment

from .message_text import DATA_FIELDS

MAX_TEXT = 100_000
"""Characters any value or output of a template may reach: a post is a few thousand."""
MAX_NUMBER_BITS = 4_096
"""Bits a number made by `**` or `*` may have (10**1000 fits; 10**10**10 does not)."""
MAX_STEPS = 200_000
"""Loop iterations one render may take, all `for` loops together."""
_WIDTH = re.compile(r"[{%][^{}%]*?(\d{6,})")
"""A width or precision of six digits or more in a format string ('%10000000s', '{:>999999}')."""
_budget = threading.local()


class TemplateLimit(jinja2.exceptions.SecurityError):
    """A template asked for more work than any message needs."""


def _size(value: Any) -> int | None:
    return len(value) if isinstance(value, (str, list, tuple)) else None


def _bounded(value: Any) -> Any:
    size = _size(value)
    if size is not None and size > MAX_TEXT:
        raise TemplateLimit(f"a value of {size:,} characters or items (at most {MAX_TEXT:,})")
    return value


def _small_ints(*args: Any) -> None:
    for arg in args:
        if isinstance(arg, int) and not isinstance(arg, bool) and abs(arg) > MAX_TEXT:
            raise TemplateLimit(f"a width or count of {arg:,} (at most {MAX_TEXT:,})")


def _format_widths(fmt: Any) -> None:
    found = _WIDTH.search(fmt) if isinstance(fmt, str) else None
    if found:
        raise TemplateLimit(f"a format width of {found.group(1)} (at most {MAX_TEXT:,})")


def _bits(n: Any) -> int:
    return abs(int(n)).bit_length() if isinstance(n, int) else 0


def _replace_size(text: str, old: str, new: str) -> None:
    grows = text.count(old) if old else len(text) + 1
    _small_ints(len(text) + grows * max(0, len(new) - len(old)))


def _join_size(items: list[Any], separator: str) -> None:
    _small_ints(len(separator) * len(items))


def _counted(iterable: Any) -> Iterator[Any]:
    """A for loop's items, each counted against the render's MAX_STEPS."""
    for item in iterable:
        _budget.steps = getattr(_budget, "steps", 0) + 1
        if _budget.steps > MAX_STEPS:
            raise TemplateLimit(f"more than {MAX_STEPS:,} loop iterations in one render")
        yield item


_GROWING_FILTERS = frozenset(
    {"center", "indent", "wordwrap", "format", "join", "replace", "batch", "slice"}
    | {"truncate", "list", "string", "striptags", "title", "capitalize", "upper", "lower"}
    | {"trim", "urlize", "xmlattr"}
)


def _bounded_filter(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn` with its width/count arguments and its result bounded."""

    def call(*args: Any, **kwargs: Any) -> Any:
        pass_arg = jinja2.utils._PassArg.from_obj(fn)
        args_only = args[2:] if pass_arg is not None else args[1:]
        _small_ints(*args_only, *kwargs.values())
        at = 0 if pass_arg is None else 1
        value = args[at]
        if name == "join":
            items = list(value)
            _join_size(items, str(args_only[0]) if args_only else str(kwargs.get("d", "")))
            args = (*args[:at], items, *args[at + 1 :])
        if name == "replace" and len(args_only) >= 2:
            _replace_size(str(value), str(args_only[0]), str(args_only[1]))
        if name == "format":
            _format_widths(value)
        return _bounded(fn(*args, **kwargs))

    # jinja2 looks at the function itself for pass_context and friends
    for attr in ("jinja_pass_arg",):
        if hasattr(fn, attr):
            setattr(call, attr, getattr(fn, attr))
    return call


class _BoundedCodeGenerator(CodeGenerator):
    """Routes `~` through the environment's bounds."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.bounded(")
        super().visit_Concat(node, frame)
        self.write(")")


class _BoundedTemplate(jinja2.Template):
    def render(self, *args: Any, **kwargs: Any) -> str:
        _budget.steps = 0
        out: list[str] = []
        size = 0
        for part in self.generate(*args, **kwargs):
            size += len(part)
            if size > MAX_TEXT:
                raise TemplateLimit(f"the output passed {MAX_TEXT:,} characters")
            out.append(part)
        return "".join(out)


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox with the size, number and step bounds of the module docstring."""

    code_generator_class = _BoundedCodeGenerator
    template_class = _BoundedTemplate
    intercepted_binops = frozenset(["*", "**", "+", "%"])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pins = threading.local()
        for name in _GROWING_FILTERS:
            if name in self.filters:
                self.filters[name] = _bounded_filter(name, self.filters[name])
        self.filters["_counted"] = _counted

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):  # every loop's items counted against MAX_STEPS
            loop.iter = nodes.Filter(loop.iter, "_counted", [], [], None, None, lineno=loop.lineno)
        return tree

    def bounded(self, value: Any) -> Any:
        return _bounded(value)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        fields = DATA_FIELDS.get(type(obj))
        if fields is not None and attr in fields:
            return True
        return bool(super().is_safe_attribute(obj, attr, value))

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Within: each template name is looked up on disk once, on this thread.

        Jinja2 checks a cached template's file (a stat) at every lookup, and a
        post's render looks up two (its file and the partial it imports): two
        system calls per post, each letting the delivery thread take the GIL
        while a feed is queued (issue 15). A batch of posts is rendered with
        the templates as they were when it started; an edit shows from the next.
        """
        if getattr(self._pins, "found", None) is not None:
            yield  # already pinned further up
            return
        self._pins.found = {}
        try:
            yield
        finally:
            self._pins.found = None

    def _load_template(self, name: str, globals: Any) -> jinja2.Template:
        found: dict[str, jinja2.Template | None] | None = getattr(self._pins, "found", None)
        if found is None or globals:
            return super()._load_template(name, globals)
        if name in found:
            template = found[name]
            if template is None:  # not there when the pin started (select_template tries on)
                raise jinja2.TemplateNotFound(name)
            return template
        try:
            template = found[name] = super()._load_template(name, globals)
        except jinja2.TemplateNotFound:
            found[name] = None
            raise
        return template

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        ints = isinstance(left, int) and isinstance(right, int)
        if operator == "**" and ints and right > 0 and _bits(left) * right > MAX_NUMBER_BITS:
            raise TemplateLimit(f"{left} ** {right} is too large a number")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if _size(seq) is not None and isinstance(n, int):
                    _small_ints(_size(seq) * max(n, 0))  # type: ignore[operator]
            if _bits(left) + _bits(right) > MAX_NUMBER_BITS:
                raise TemplateLimit("the product is too large a number")
        if operator == "%" and isinstance(left, str):
            _format_widths(left)
            _small_ints(*(right if isinstance(right, tuple) else (right,)))
        return _bounded(super().call_binop(context, operator, left, right))

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        # str.center(10**10), 'x'.ljust(...), '{:>999999}'.format(...), s.replace(a, b)...
        bound = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        owner = getattr(bound, "__self__", None)
        method = getattr(bound, "__name__", "")
        if isinstance(owner, (str, list, tuple)):
            _small_ints(*args, *kwargs.values())
        if isinstance(owner, str):
            if method in ("format", "format_map"):
                _format_widths(owner)
            if method == "replace" and len(args) >= 2:
                _replace_size(owner, str(args[0]), str(args[1]))
            if method == "join" and args:
                items = list(args[0])
                _join_size(items, owner)
                args = (items, *args[1:])
            if method == "expandtabs":
                _small_ints(owner.count("\t") * (int(args[0]) if args else 8))
        return _bounded(super().call(__context, __obj, *args, **kwargs))
