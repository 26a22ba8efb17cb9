"""Message templates: a page, news item or announcement becomes one Post per channel.

Templates are files organisers write, so they are data, not code: they run in
Jinja2's sandbox, and an undefined variable is an error naming the file and
line, never an empty string.

Lookup (see messages/README.md): `<kind>/<channel kind>.<lang>.j2`, then the
same in the campaign's default language, then `<kind>/<channel kind>.j2`; the
organiser's folder (`messages_dir`) is searched before the bundled `messages/`,
and `default:<name>` always reaches the bundled file, as in Datasette, so an
organiser's template can import or extend the one it replaces.

Templates of a network that posts HTML (Network.html: Telegram) are autoescaped:
every outside value becomes text, never markup, and the result is checked by
the network (Telegram's HTML subset). Others and share templates are plain text.

Texts too long for a network are shortened here, at preview time: the summary
first, then the title, at word boundaries with an ellipsis; the URL, hashtags
and markup are never cut. When even that cannot fit, FitError.

Each network counts and limits its own texts (outreach/networks/): a Mastodon
post fits the channel's `max_characters` from the config, else the limit its
instance reports (the caller passes what `doctor` or `run` learned:
`limits={channel id: max_characters}`; this layer never reads the store), else 500.

What a message is about (a page, news item or announcement, from the id an
organiser types) is outreach.subjects'. This module renders one channel's post;
outreach.channel_posts renders a subject for every channel it goes to, which is
what every caller uses. What a template sees (item, campaign, clock, channel,
announcement) is outreach.template_context's.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import fit_words as say
from . import subjects
from .campaign_clock import locale_for
from .config import AnnouncementConfig, ChannelBase, Config
from .config.fields import written_in
from .content import Item
from .errors import ConfigError, FitError, TemplateError
from .message_text import (
    TEMPLATE_SUFFIX,
    is_partial,
    one_line,
    paragraphs,
    template_names,
    tidy,
)
from .networks import all_networks, network
from .networks.base import reported as reported_by
from .post import Post
from .resources import bundled_messages
from .subjects import Subject as Subject  # what callers import with Messages
from .template_context import ChannelView, template_context

if TYPE_CHECKING:
    import jinja2

    from .template_sandbox import BoundedSandbox

# Jinja2 (message_env), fitting and textlimits (grapheme) are imported at the first
# template or render, not with this module: the outbox makes its Messages at start-up
# and a run with nothing new renders nothing (issue 15: start-up time).

BUNDLED_DIR = bundled_messages()
SHARE = "share"
"""The template a reader's share link carries (messages/<kind>/share.<lang>.j2): no network."""
ONE_OFF = "one-off"
"""The kind an announcement with its own text names: no files; its text is the template."""
_ONE_OFF_CACHE = 64

ChannelConfig = ChannelBase


def channel_kinds() -> tuple[str, ...]:
    """The names templates may have: every network's, and `share`."""
    return (*(n.name for n in all_networks()), SHARE)


# --- what callers get ---------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """A Post with what an organiser checks before it goes."""

    post: Post
    template: str
    """The file the text came from."""
    measure: Callable[[str], int] = field(repr=False, compare=False)
    limit: int
    shortened: bool

    @functools.cached_property
    def length(self) -> int:
        """As the network counts it (Mastodon: CW included; Telegram: UTF-16 after entities).

        Counted when asked (previews): queueing needs only to know the text fits."""
        return self.measure(self.post.text)


class Messages:
    """Renders and fits posts for one campaign config. Keep one per config: it caches templates."""

    def __init__(self, config: Config, *, bundled_dir: Path = BUNDLED_DIR) -> None:
        self.config = config
        self.bundled_dir = bundled_dir
        if not bundled_dir.is_dir():
            raise ConfigError(
                f"the bundled message templates are missing ({bundled_dir}): reinstall "
                "outreach (pip install --force-reinstall, or pip install -e . in a checkout)"
            )
        dirs = [bundled_dir]
        if config.messages_dir:
            own = config.resolve_path(config.messages_dir)
            if not own.is_dir():
                raise ConfigError(f"{config.source}: messages_dir: {own} is not a folder")
            dirs.insert(0, own)
        self.dirs = tuple(dirs)
        self._env: BoundedSandbox | None = None
        self._env_lock = threading.Lock()
        self._one_off: dict[tuple[str, str], jinja2.Template] = {}

    @property
    def env(self) -> BoundedSandbox:
        """The sandbox over `dirs` (message_env), made at its first use: it caches templates."""
        env = self._env
        if env is None:
            with self._env_lock:
                env = self._env
                if env is None:
                    from .message_env import make_environment

                    html = [n.name for n in all_networks() if n.html]
                    env = self._env = make_environment(self.dirs, self.bundled_dir, html)
        return env

    # --- templates -------------------------------------------------------------------

    def kinds(self) -> list[str]:
        """Every event kind some folder has templates for (its sub-folders)."""
        found = {p.name for d in self.dirs for p in d.iterdir() if p.is_dir()}
        return sorted(k for k in found if not k.startswith("_"))

    def template_files(self) -> list[str]:
        """The names of all non-partial templates in every folder, organiser's first."""
        names: dict[str, None] = {}
        for d in self.dirs:
            for p in sorted(d.rglob(f"*{TEMPLATE_SUFFIX}")):
                rel = p.relative_to(d).as_posix()
                if not is_partial(rel):
                    names[rel] = None
        return list(names)

    def check_language(self, lang: str) -> None:
        langs = self.config.campaign.languages
        if lang not in langs:
            from .validation_words import nearest

            near = nearest(lang, langs)
            raise TemplateError(
                f"language {lang!r} is not one of the campaign's languages ({', '.join(langs)}); "
                + (f"did you mean {near!r}? If not, " if near else "")
                + "add it under campaign.languages"
            )
        locale_for(lang)

    def template(self, kind: str, channel_kind: str, lang: str) -> jinja2.Template:
        env = self.env
        from jinja2 import TemplatesNotFound  # loaded with env

        from .message_env import template_errors

        names = template_names(kind, channel_kind, lang, self.config.campaign.default_language)
        with template_errors(names[0]):
            try:
                return env.select_template(names)
            except TemplatesNotFound:
                pass
        from .validation_words import did_you_mean  # difflib: only for a missing template

        known = self.kinds()
        hint = "" if kind in known else did_you_mean(kind, known, otherwise="known kinds")
        folders = ", ".join(str(d) for d in self.dirs)
        raise TemplateError(
            f"no {channel_kind} template for {kind!r} in {lang!r}: looked for "
            f"{', '.join(names)} in {folders}{hint}"
        )

    def one_off_template(self, source: str, channel_kind: str) -> jinja2.Template:
        """An organiser's one-off text as a template of `channel_kind`, in the same sandbox.

        Named "one-off/<channel kind>.j2", so that it is autoescaped where the
        network's files are (Telegram) and its errors name a line as a file's do.
        Unlike a file, what is typed is plain text on every network: on one that
        posts HTML its words are escaped too ("&" reads "&", never a broken
        entity), so one text reads the same everywhere; macros such as the
        Telegram partial's link() still give markup.
        """
        key = (source, channel_kind)
        found = self._one_off.get(key)
        if found is not None:
            return found
        env = self.env
        from .message_env import TypedAsText, template_errors

        name = f"{ONE_OFF}/{channel_kind}{TEMPLATE_SUFFIX}"
        with template_errors(name):
            tree = env._parse(source, name, name)
            if callable(env.autoescape) and env.autoescape(name):
                tree = TypedAsText().visit(tree)
            code = env.compile(tree, name, name)
            template = env.template_class.from_code(env, code, env.globals)
        if len(self._one_off) >= _ONE_OFF_CACHE:
            self._one_off.pop(next(iter(self._one_off)))
        self._one_off[key] = template
        return template

    def pinned(self) -> AbstractContextManager[None]:
        """Renders within look each template file up once (template_sandbox.BoundedSandbox.pinned):
        for a batch of posts, not for a single preview."""
        return self.env.pinned()

    def render_text(self, template: jinja2.Template, context: dict[str, Any]) -> str:
        from .message_env import template_errors  # loaded with the template's env

        with template_errors(template.filename or template.name or "?"):
            return tidy(template.render(context))

    # --- subjects (outreach.subjects; here for the callers that hold a Messages) --------

    def subject_for_item(self, item: Item, kind: str | None = None) -> Subject:
        return subjects.subject_for_item(self.config, item, kind)

    def subject_for_announcement(self, announcement: AnnouncementConfig | str) -> Subject:
        return subjects.subject_for_announcement(self.config, announcement)

    def subject(self, ident: str, kind: str | None = None) -> Subject:
        """A page id, a news id or an announcement id, as an organiser types it."""
        return subjects.subject(self.config, ident, kind)

    def campaign_item(self) -> Item:
        """What an announcement without a page is about: the campaign itself."""
        return subjects.campaign_item(self.config)

    def channels(self, subject: Subject) -> list[ChannelConfig]:
        return self.config.channels_for(list(subject.channel_ids))

    # --- rendering -------------------------------------------------------------------

    def _fitted(
        self,
        template: jinja2.Template,
        subject: Subject,
        channel: ChannelView,
        now: dt.datetime,
        measure: Callable[[str], int] | None,
        limit: int | None,
        outside: Callable[[str], str] = str,
        bound: Callable[[str], int] | None = None,
        image_limit: bool = False,
        reported: say.Reported | None = None,
    ) -> tuple[str, bool]:
        """The text, and whether it was shortened. `bound`: a cheap count never below
        `measure`'s, so a text within the limit by it is not counted exactly; `image_limit`:
        `limit` is lower than without an image (said when it cannot fit); `reported`: the
        platform's own figures, named when it cannot fit."""
        lang, fallback = channel.language, self.config.campaign.default_language
        title = outside(one_line(subject.item.title_in(lang, fallback)))
        summary = outside(paragraphs(subject.item.summary_in(lang, fallback)))
        used: dict[str, str] = {}

        def render(t: str, s: str) -> str:
            used["title"] = t
            ctx = template_context(self.config, subject, channel, lang, now, title=t, summary=s)
            return self.render_text(template, ctx)

        full = render(title, summary)
        if measure is None or limit is None:
            return full, False
        if (bound is not None and bound(full) <= limit) or measure(full) <= limit:
            return full, False
        what = f"{channel.id} ({template.filename})"
        from .fitting import fit  # only for a text over its limit

        try:
            return fit(lambda s: render(title, s), summary, measure, limit, what), True
        except FitError:
            pass
        try:
            text = fit(lambda t: render(t, ""), title, measure, limit, what)
            # An empty title is not a shorter title: a post about nothing is not sent.
            if used["title"] or not title:
                return text, True
        except FitError:
            pass
        bare, kind = measure(render("", "")), channel.kind
        loc = fallback  # the organisers' language: figures as they read numbers (fit_words)
        limit_of = say.limit_of(limit, image_limit, reported, locale=loc)
        if str(template.filename).startswith(f"{ONE_OFF}/"):  # the organiser's own text
            if bare <= limit:
                said = say.own_text_no_room_for_title(channel.id, kind, bare, limit_of, locale=loc)
                raise FitError(said)
            over, with_item = bare - limit, measure(full) != bare
            said = say.own_text_over(channel.id, kind, bare, limit_of, over, with_item, locale=loc)
            raise FitError(said)
        if bare <= limit:
            raise FitError(say.template_no_room_for_title(what, kind, bare, limit_of, locale=loc))
        raise FitError(say.template_over(what, kind, bare, limit_of, locale=loc))

    def render_post(
        self,
        channel: ChannelConfig,
        subject: Subject,
        *,
        now: dt.datetime,
        lang: str | None = None,
        limits: Mapping[str, int] | None = None,
    ) -> Rendered:
        """What `channel` receives about `subject`, fitted to the limit its network sets."""
        net = network(channel.kind)
        lang = lang or channel.language
        self.check_language(lang)
        own = subject.announcement.text if subject.announcement else None
        if own is not None:
            template = self.one_off_template(own, channel.kind)
        else:
            template = self.template(subject.kind, channel.kind, lang)
        view = ChannelView(channel.id, channel.kind, lang)
        item, fallback = subject.item, self.config.campaign.default_language
        image_url = item.image.url if item.image else None
        limit = net.limit(channel, has_image=bool(image_url), learned=limits or {})

        def measure(text: str) -> int:
            return net.length(channel, text, limits)

        def bound(text: str) -> int:
            return net.length_bound(channel, text, limits)

        image_limit = bool(image_url) and limit < net.limit(
            channel, has_image=False, learned=limits or {}
        )
        # what the instance reported, for the words when the text cannot fit
        figures = reported_by(limits, channel.id) if limits else None
        said = say.Reported(net.name, net.where(channel), figures) if figures else None
        text, shortened = self._fitted(
            template, subject, view, now, measure, limit, net.outside_text, bound, image_limit,
            said,
        )  # fmt: skip
        problems = net.problems(text)
        if problems:
            raise TemplateError(
                f"{template.filename}: the text is not valid {net.name.capitalize()} "
                "HTML: " + "; ".join(problems)
                if net.html
                else f"{template.filename}: {net.name} would refuse the text: "
                + "; ".join(problems)
            )
        post = net.post(
            channel,
            text,
            language=lang,
            fallback_language=fallback,
            image_url=image_url,
            image_alt=one_line(item.alt_in(lang, fallback)),
            about=subject.about,
        )
        written = self._written_in(subject, lang, fallback)
        if written != lang:
            post = replace(post, language=written)
        return Rendered(post, str(template.filename), measure, limit, shortened)

    @staticmethod
    def _written_in(subject: Subject, lang: str, fallback: str) -> str:
        """The language the post's text is in, its label (Mastodon's status `language`).

        The channel's, except for an item sent as itself (its own kind's template, no
        text of its own): that text is the item's title and summary, in the language
        they fell back to when the channel's is missing (an English-only feed)."""
        if subject.announcement is not None or subject.kind != subject.item.kind:
            return lang
        return written_in(subject.item.title, lang, fallback)

    def share_texts(self, now: dt.datetime) -> Callable[[Item, str], str]:
        """share_text for many items at one moment (an export, a check): each template
        looked up once, not once per item and language."""
        templates: dict[tuple[str, str], jinja2.Template] = {}

        def text(item: Item, lang: str) -> str:
            subject = self.subject_for_item(item)
            template = templates.get((subject.kind, lang))
            if template is None:
                self.check_language(lang)
                template = templates[subject.kind, lang] = self.template(subject.kind, SHARE, lang)
            view = ChannelView(SHARE, SHARE, lang)
            return self._fitted(template, subject, view, now, None, None)[0]

        return text

    def share_text(
        self,
        item: Item,
        lang: str,
        *,
        now: dt.datetime,
        kind: str | None = None,
        rule: str | None = None,
        limit: int | None = None,
    ) -> str:
        """The plain text a reader's share link carries; fitted when `rule` and `limit` are given.

        `rule` is a textlimits counting rule; leave room for the URL in `limit`
        when the network counts it in the same text.
        """
        self.check_language(lang)
        subject = self.subject_for_item(item, kind)
        template = self.template(subject.kind, SHARE, lang)
        from .textlimits import count

        measure = (lambda text: count(text, rule)) if rule else None
        view = ChannelView(SHARE, SHARE, lang)
        return self._fitted(template, subject, view, now, measure, limit)[0]
