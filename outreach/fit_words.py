"""What an organiser reads when a message cannot be made to fit its network's limit.

Apart from messages.py (which renders and fits) because the words depend on who wrote what:
an organiser's own one-off text is theirs to shorten, and names no template, file or hashtags
they never wrote; a template's overflow is the template's, the hashtags' or the content
warning's. Both say the unit the network counts in: "the message is 600 long" left someone
counting characters to guess, while Telegram counts UTF-16 units (an emoji is 2) and
Mastodon counts every link as 23. Where the channel's platform reported its own figures (a
Mastodon instance's max_characters and characters_reserved_per_url, kept by the ledger and
passed down as networks.base.Learned), the limit names them: an organiser on an instance
that allows 1000 and counts a link as 40 is told so, not Mastodon's 500 and 23.

Every figure is written as organisers read numbers in their language (`number`: "4,096" in
English, "4 096" in Russian or French), the campaign's default language, which Messages
passes as `locale` ("4096" reads as a year).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .networks import find_network


def counted_in(network: str) -> tuple[str, str]:
    """(unit, how) for `network`'s length counts, as the network declares them
    (`Network.counted_in`); plain characters where it declares nothing."""
    found = find_network(network)
    declared = found.counted_in if found is not None else None
    return declared or ("characters", f"as {network.capitalize()} counts them")


@dataclass(frozen=True)
class Reported:
    """What a channel's platform reported of its limits, and where the channel posts."""

    network: str
    where: str
    """The network's `where(channel)`: a Mastodon instance's URL."""
    figures: Mapping[str, int] = field(default_factory=dict)
    """networks.base.reported(learned, channel id): max_characters, characters_reserved_per_url."""


def number(value: int | float, locale: str = "en") -> str:
    """`value` with the digit grouping of `locale` (Babel's CLDR data): '4,096', '4\u00a0096'.
    A language Babel has no data for is written as English is (the campaign's languages are
    checked against Babel when a post is rendered, so this is for callers outside that)."""
    from babel import UnknownLocaleError
    from babel.numbers import format_decimal  # loaded already by the templates' filters

    try:
        return format_decimal(value, locale=locale)
    except (UnknownLocaleError, ValueError):
        return format_decimal(value, locale="en")


def limit_of(
    limit: int, for_image: bool, reported: Reported | None = None, *, locale: str = "en"
) -> str:
    """`for_image`: the network allows less with an image (Telegram's 1024 for a caption).
    `reported`: the platform's own figures, said after the limit when it reported any."""
    said = f"the limit of {number(limit, locale)}"
    said += " for a post with an image" if for_image else ""
    figures = reported_figures(reported, limit, locale) if reported is not None else ""
    return f"{said} ({figures})" if figures else said


def reported_figures(reported: Reported, limit: int, locale: str = "en") -> str:
    """'https://m.example counts a link as 40 characters and allows 1000 in a post', from what
    the instance reported; '' when it reported nothing. Its max_characters is said only when
    it is the limit applied (a channel's own max_characters in the campaign file wins)."""
    unit, _ = counted_in(reported.network)
    parts = []
    per_link = reported.figures.get("characters_reserved_per_url")
    if per_link is not None:
        parts.append(f"counts a link as {number(per_link, locale)} {unit}")
    allowed = reported.figures.get("max_characters")
    if allowed is not None and allowed == limit:
        parts.append(f"allows {number(allowed, locale)} in a post")
    return f"{reported.where} {' and '.join(parts)}" if parts else ""


def own_text_over(
    channel: str,
    network: str,
    length: int,
    limit: str,
    over_by: int,
    with_item: bool,
    *,
    locale: str = "en",
) -> str:
    """The organiser's own text is over the limit even with the item's title and summary
    left out (`with_item`: the text puts them in, and they were tried without)."""
    unit, how = counted_in(network)
    left_out = " even with the title and summary left out" if with_item else ""
    return (
        f"{channel}: your text is {number(length, locale)} {unit} long{left_out} ({how}), "
        f"over {limit}: shorten your text by at least {number(over_by, locale)} {unit}"
    )


def own_text_no_room_for_title(
    channel: str, network: str, length: int, limit: str, *, locale: str = "en"
) -> str:
    """Without the title the organiser's text fits, but even the title's first word does not."""
    unit, how = counted_in(network)
    return (
        f"{channel}: your text is {number(length, locale)} {unit} long without the title "
        f"({how}), and even the "
        f"title's first word takes it over {limit}: shorten your text, or leave "
        "the title out of it"
    )


def template_over(what: str, network: str, length: int, limit: str, *, locale: str = "en") -> str:
    """A template's message is over the limit even with no title or summary."""
    unit, how = counted_in(network)
    return (
        f"{what}: the message is {number(length, locale)} {unit} long even with no title or "
        f"summary ({how}), "
        f"over {limit}: shorten the template, the hashtags or the content warning"
    )


def template_no_room_for_title(
    what: str, network: str, length: int, limit: str, *, locale: str = "en"
) -> str:
    """A template's message fits without a title, but not with the title's first word."""
    unit, how = counted_in(network)
    return (
        f"{what}: even the title's first word leaves the message over {limit} "
        f"(it is {number(length, locale)} {unit} long without any title, {how}): "
        "shorten the title or the template"
    )
