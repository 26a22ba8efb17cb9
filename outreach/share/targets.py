"""share_targets.yaml: the networks as data, validated, and which a campaign offers.

The networks live in share_targets.yaml at the top of the repository, or the
file `share.targets_file` names. This module reads that file with file and
line in every error, checks each network's templates against the fields a
link may use, and chooses which networks a campaign offers. Building the
links themselves is outreach/share/links.py.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..config import Config, pick
from ..errors import ConfigError
from ..resources import bundled_share_targets
from ..textlimits import COUNTERS
from ..validation_lines import validation_problems
from ..yaml_doc import YamlDoc
from ..yamlfile import load_yaml

BUNDLED_TARGETS = bundled_share_targets()

FIELDS = frozenset({"url", "title", "summary", "share_text", "hashtags", "hashtags_csv", "image"})
"""What a parameter's value template may use."""
PICKER_FIELDS = frozenset({"text", "url", "title"})
"""What a fediverse software's endpoint may use."""

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
# SVG path data only: the icon is drawn by our own <svg>, so nothing else can get in.
_PATH_DATA = re.compile(r"^[MmZzLlHhVvCcSsQqTtAa0-9eE.,\s+-]+$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fit(_Model):
    shorten: Literal["share_text", "title", "summary"]
    limit: int = Field(gt=0)
    count: str
    counted: str = "{value}"
    """What the network measures: `{value}` and other params, as it composes the post."""

    @field_validator("count")
    @classmethod
    def _rule(cls, v: str) -> str:
        if v not in COUNTERS:
            from ..validation_words import unknown  # difflib: only for a file with errors

            raise ValueError(unknown("counting rule", v, sorted(COUNTERS)))
        return v


class Param(_Model):
    value: str
    encode: Literal["query", "mailto"] = "query"
    fit: Fit | None = None


class Retirement(_Model):
    date: dt.date
    reason: str = Field(min_length=1)


class Software(_Model):
    id: str
    label: str
    endpoint: str | None
    """Path and query on the reader's server; None when it has no share page."""
    nodeinfo: list[str] = Field(default_factory=list)
    """The names this software (and its forks) gives as software.name in its NodeInfo."""


class Network(_Model):
    id: str
    label: dict[str, str]
    kind: Literal["link", "copy", "native", "picker", "widget"]
    url: str | None = None
    params: dict[str, Param] = Field(default_factory=dict)
    status: Literal["active", "app_only", "retired"]
    retired: Retirement | None = None
    last_verified: dt.date
    source: str | None = None
    jurisdiction: str | None = None
    e2e: bool = False
    """Messages sent this way are end-to-end encrypted by default: the bar marks it."""
    private: bool = False
    """Reaches only the people the reader chooses (the share sheet, a copied link); not
    encrypted by itself. Private and encrypted routes come first."""
    hashtags: Literal["in_text", "none"] = "none"
    """The one rule for the campaign's hashtags on this network: in_text puts them in the
    post text ({hashtags}); none leaves them out."""
    colour: str | None = None
    icon: str | None = None
    software: list[Software] = Field(default_factory=list)

    @field_validator("label", mode="before")
    @classmethod
    def _label(cls, v: Any) -> Any:
        return {"*": v} if isinstance(v, str) else v

    def label_in(self, lang: str, fallback: str = "en") -> str:
        return pick(self.label, lang, fallback)

    @property
    def offerable(self) -> bool:
        return self.status != "retired"

    @property
    def first_group(self) -> bool:
        """Encrypted or private: offered before the public networks."""
        return self.e2e or self.private


class _File(_Model):
    networks: list[Network] = Field(min_length=1)


@dataclass(frozen=True)
class ShareTargets:
    path: Path
    networks: tuple[Network, ...]

    def get(self, network_id: str) -> Network | None:
        return next((n for n in self.networks if n.id == network_id), None)

    @property
    def retired(self) -> list[Network]:
        return [n for n in self.networks if n.status == "retired"]


def targets_path(cfg: Config) -> Path:
    if cfg.share.targets_file:
        return cfg.resolve_path(cfg.share.targets_file)
    return BUNDLED_TARGETS


def load_targets(path: Path | str) -> ShareTargets:
    """Read and validate a share_targets.yaml; every problem names file, line and field."""
    doc = load_yaml(path)
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{doc.where(())}: expected a mapping with a 'networks' list")
    try:
        parsed = _File.model_validate(doc.data)
    except ValidationError as exc:
        raise ConfigError(
            f"{doc.path}: the share targets are not valid",
            validation_problems(doc, exc, model=_File),
        ) from None
    problems: list[str] = []
    seen: set[str] = set()
    for i, net in enumerate(parsed.networks):
        if net.id in seen:
            problems.append(f"{doc.where(('networks', i, 'id'))}: duplicate id {net.id!r}")
        seen.add(net.id)
        problems += _check_network(net, ("networks", i), doc)
    if problems:
        raise ConfigError(f"{doc.path}: the share targets are not consistent", problems)
    return ShareTargets(path=doc.path, networks=tuple(parsed.networks))


def placeholders(template: str) -> list[str]:
    """The {names} in a template; positional, converted or formatted fields are refused."""
    names = []
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(
                f"{{{name}{'!' + conversion if conversion else ''}"
                f"{':' + spec if spec else ''}}} is not a plain {{name}} placeholder"
            )
        names.append(name)
    return names


def _check_network(net: Network, loc: tuple[str | int, ...], doc: YamlDoc) -> list[str]:
    problems: list[str] = []

    def bad(where: tuple[str | int, ...], msg: str) -> None:
        problems.append(f"{doc.where(loc + where)}: {msg}")

    def names_in(template: str, where: tuple[str | int, ...]) -> list[str]:
        try:
            return placeholders(template)
        except ValueError as exc:
            bad(where, str(exc))
            return []

    if not _ID.match(net.id):
        bad(("id",), f"{net.id!r} is not a valid id: lower-case letters, digits, '-', '_'")
    if "*" not in net.label and "en" not in net.label:
        bad(("label",), "give an English label ('en') or one for every language ('*')")
    if (net.status == "retired") != (net.retired is not None):
        where = ("retired",) if net.retired is not None else ("status",)
        bad(where, "a retired network needs 'retired: {date, reason}', and only it")
    if net.jurisdiction is not None and not re.fullmatch(r"[A-Z]{2}", net.jurisdiction):
        bad(("jurisdiction",), "use a two-letter country code such as RU")
    if net.kind == "widget" and net.offerable:
        bad(("kind",), "a third-party widget is never offered: only a retired record may be one")
    if net.offerable:
        if not (net.colour and _COLOUR.match(net.colour)):
            bad(("colour",), "give the brand colour as #RRGGBB")
        if not (net.icon and _PATH_DATA.match(net.icon)):
            bad(("icon",), "give the icon as SVG path data (the 'd' of a 24x24 path)")
    if net.kind in ("copy", "native") and (net.url or net.params):
        bad(("url",), f"a {net.kind} button has no URL template or params")
    if net.kind in ("link", "picker") and net.offerable and not net.url:
        bad(("url",), "an active link needs a URL template")
    if (net.kind == "picker") != bool(net.software):
        bad(("software",), "the fediverse picker, and only it, lists server software")

    declared = set(net.params)
    if net.url:
        used = names_in(net.url, ("url",))
        builtin = {"picker"} if net.kind == "picker" else set()
        for name in used:
            if name not in declared | builtin:
                near = _nearest_field(name, declared)
                known = ", ".join(sorted(declared)) or "none"
                bad(
                    ("url",),
                    f"placeholder {{{name}}} is not a declared parameter of {net.id!r}"
                    + (f"; did you mean {{{near}}}?" if near else f" (declared: {known})"),
                )
        for name in sorted(declared - set(used)):
            bad(("params", name), f"parameter {name!r} is not used in the URL template")
        scheme = urlsplit(net.url).scheme.lower()
        if net.kind == "link" and net.status == "active" and scheme not in ("https", "mailto"):
            bad(("url",), "an active link must be https: (or mailto:); app schemes are app_only")
        if net.status == "app_only" and scheme in ("http", "https", ""):
            bad(("status",), "app_only is for app schemes such as viber:// only")
        if net.kind == "picker" and not net.url.startswith("{picker}"):
            bad(("url",), "the picker URL must start with {picker}")
    carries_url = False
    for name, param in net.params.items():
        for f in names_in(param.value, ("params", name, "value")):
            if f not in FIELDS:
                bad(("params", name, "value"), _unknown_field(f, FIELDS))
            carries_url |= f == "url"
        if param.fit:
            if f"{{{param.fit.shorten}}}" not in param.value:
                bad(
                    ("params", name, "fit", "shorten"),
                    f"{{{param.fit.shorten}}} is not in this parameter's value",
                )
            for f in names_in(param.fit.counted, ("params", name, "fit", "counted")):
                if f != "value" and f not in declared:
                    near = _nearest_field(f, declared | {"value"})
                    hint = f"; did you mean {{{near}}}?" if near else ""
                    bad(("params", name, "fit", "counted"), f"unknown parameter {{{f}}}{hint}")
    tagged = [
        name
        for name, param in net.params.items()
        if {"hashtags", "hashtags_csv"} & set(names_in(param.value, ("params", name, "value")))
    ]
    if net.hashtags == "in_text" and not tagged:
        bad(("hashtags",), "hashtags: in_text, but no parameter carries {hashtags}")
    if net.hashtags == "none" and tagged:
        bad(
            ("params", tagged[0], "value"),
            "{hashtags} is used, but the network's rule is 'hashtags: none' "
            "(declare 'hashtags: in_text' to carry them)",
        )
    if net.e2e and net.private:
        bad(("private",), "a route is either end-to-end encrypted (e2e) or private, not both")
    if net.kind in ("link", "picker") and net.url and not carries_url:
        bad(("params",), "no parameter carries the page {url}")
    for j, sw in enumerate(net.software):
        if sw.endpoint is None:
            continue
        if not sw.endpoint.startswith("/"):
            bad(("software", j, "endpoint"), "an endpoint is a path starting with '/'")
        for f in names_in(sw.endpoint, ("software", j, "endpoint")):
            if f not in PICKER_FIELDS:
                bad(("software", j, "endpoint"), _unknown_field(f, PICKER_FIELDS))
    return problems


def _nearest_field(name: str, known: Iterable[str]) -> str | None:
    from ..validation_words import nearest  # difflib: only for a file with errors

    return nearest(name, sorted(known))


def _unknown_field(name: str, known: Iterable[str]) -> str:
    """'unknown field {titel}; did you mean {title}?', else the fields a template may use."""
    near = _nearest_field(name, known)
    if near:
        return f"unknown field {{{name}}}; did you mean {{{near}}}?"
    return f"unknown field {{{name}}}; known: {', '.join(sorted(known))}"


# --- which networks a campaign offers -------------------------------------------------


@dataclass(frozen=True)
class Selection:
    offered: list[Network]
    problems: list[str] = field(default_factory=list)
    """Errors: the campaign asks for a network that does not exist."""
    notes: list[str] = field(default_factory=list)
    """What an organiser should know: retired or withheld networks they listed."""


def select(cfg: Config, targets: ShareTargets, doc: YamlDoc | None = None) -> Selection:
    """The networks to offer, end-to-end-encrypted routes first, in the campaign's order.

    `doc`: the campaign file `cfg` was read from, for the lines of its problems; else the
    file is read again when there is one to name."""
    settings = cfg.share
    problems: list[str] = []
    notes: list[str] = []
    if settings.networks is None:
        chosen = list(targets.networks)
    else:
        doc = doc or _config_doc(cfg)
        chosen = []
        for i, nid in enumerate(settings.networks):
            net = targets.get(nid)
            where = doc.where(("share", "networks", i)) if doc else f"share.networks[{i}]"
            if net is None:
                problems.append(f"{where}: {_unknown_network(nid, targets)}")
            elif not net.offerable:
                notes.append(
                    f"{where}: {nid!r} is retired and gets no button: "
                    f"{net.retired.reason if net.retired else ''}"
                )
            else:
                chosen.append(net)
    offered = []
    for net in chosen:
        if not net.offerable:
            continue
        if net.jurisdiction == "RU" and not settings.russian_jurisdiction:
            if settings.networks is not None:
                notes.append(
                    f"{net.id!r} is under Russian jurisdiction and is withheld: "
                    "set share.russian_jurisdiction to offer it"
                )
            continue
        offered.append(net)
    offered.sort(key=lambda n: not n.first_group)  # stable: the campaign's order in each group
    problems += _check_bar(cfg, targets, doc)
    return Selection(offered, problems, notes)


def _check_bar(cfg: Config, targets: ShareTargets, doc: YamlDoc | None) -> list[str]:
    """share.bar.first names networks that exist (a withheld one is simply not shown)."""
    problems: list[str] = []
    for lang, ids in cfg.share.bar.first.items():
        for i, nid in enumerate(ids):
            if targets.get(nid) is None:
                doc = doc or _config_doc(cfg)
                loc: tuple[str | int, ...] = ("share", "bar", "first", lang, i)
                where = doc.where(loc) if doc else f"share.bar.first.{lang}[{i}]"
                problems.append(f"{where}: {_unknown_network(nid, targets)}")
    fediverse = next((n for n in targets.networks if n.kind == "picker"), None)
    software = {sw.id for sw in fediverse.software} if fediverse else set()
    for i, server in enumerate(cfg.share.fediverse_servers):
        if server.software not in software:
            doc = doc or _config_doc(cfg)
            loc = ("share", "fediverse_servers", i, "software")
            where = doc.where(loc) if doc else f"share.fediverse_servers[{i}].software"
            from ..validation_words import unknown  # difflib: only for a file with errors

            problems.append(f"{where}: {unknown('software', server.software, sorted(software))}")
    return problems


def _unknown_network(nid: str, targets: ShareTargets) -> str:
    """'unknown network 'whatsap'; did you mean 'whatsapp'?', else the ones offered."""
    from ..validation_words import unknown  # difflib: only for a file with errors

    return unknown("network", nid, [n.id for n in targets.networks if n.offerable])


def _config_doc(cfg: Config) -> YamlDoc | None:
    # Line numbers for config errors found here; the config was valid, so this re-read parses.
    try:
        return load_yaml(cfg.source) if cfg.source.is_file() else None
    except ConfigError:
        return None
