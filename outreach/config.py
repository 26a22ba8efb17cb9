"""The campaign config: one YAML file, validated into typed models.

Built once from a path and an injected environment mapping, then passed down;
no module reads os.environ itself. Tokens are resolved here, once, into each
channel's and the admin bot's `token` (outreach.secret.Secret, which prints as
Secret('**********')); nothing downstream sees the environment.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    SerializeAsAny,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import ConfigError
from .resources import bundled_campaign
from .secret import Secret, resolve_secret
from .yamlfile import YamlDoc, load_yaml, validation_problems

BUNDLED_CONFIG = bundled_campaign()
CONFIG_ENV = "OUTREACH_CONFIG"
STORE_ENV = "OUTREACH_DB_URL"

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(
            f"{value!r} is not a valid id: use lower-case letters, digits, '-' and '_'"
        )
    return value


def check_http_url(value: str | None) -> str | None:
    """An http(s) URL with a host, or None: the one rule for every URL in the campaign file.

    Page and campaign URLs become hrefs in readers' share bars and subscribers'
    posts (javascript: or data: there would run or show whatever it holds on a
    click); instances and API bases are where requests go.
    """
    if value is None:
        return None
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - a bad port only fails when read
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok or re.search(r"[\s\x00-\x1f\x7f]", value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def check_endpoint_url(value: str | None) -> str | None:
    """An http(s) URL requests are sent to (an instance, an API base): no user info,
    query or fragment, which the client would drop or send where they do not belong."""
    check_http_url(value)
    if value is not None:
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        if parts.username is not None or parts.password is not None:
            raise ValueError(
                f"{parts.scheme}://...@{parts.hostname}: a server URL holds no user name or "
                "password (a token goes in token_env or token_file)"
            )
        if parts.query or parts.fragment:
            raise ValueError(f"{value!r} is a server's address: it takes no '?' or '#' part")
    return value


_check_http = check_http_url
"""The former name, kept for code written against it."""


def _no_plain_token(value: Any) -> Any:
    # `token` is filled from token_env / token_file; a token typed into the file would be
    # copied with it, committed and shared.
    if value is not None and not isinstance(value, Secret):
        raise ValueError(
            "a token is never written in the campaign file: name where it is with "
            "token_env (an environment variable) or token_file"
        )
    return value


Id = Annotated[str, Field(min_length=1)]
LocalText = dict[str, str]
"""Text per language code, e.g. {'en': 'Free Ales', 'be': 'Волю Алесю'}."""


def pick(texts: Mapping[str, str], lang: str, fallback: str) -> str:
    """The text in `lang`, else in the fallback language, else any; '' when empty."""
    for key in (lang, fallback, "*"):
        if key in texts:
            return texts[key]
    return next(iter(texts.values()), "")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _local(value: Any) -> Any:
    # A plain string means "the same in every language".
    return {"*": value} if isinstance(value, str) else value


class Image(Model):
    url: str
    alt: LocalText = Field(default_factory=dict)

    _alt = field_validator("alt", mode="before")(_local)


class PageConfig(Model):
    id: str
    url: str
    title: LocalText
    summary: LocalText = Field(default_factory=dict)
    image: Image | None = None

    _id = field_validator("id")(_check_id)
    _texts = field_validator("title", "summary", mode="before")(_local)

    _url = field_validator("url")(check_http_url)


class FeedConfig(Model):
    id: str
    url: str | None = None
    path: str | None = None
    channels: list[str] = Field(default_factory=lambda: ["*"])
    template: str = "news"
    poll_minutes: Annotated[int, Field(ge=1, le=7 * 24 * 60)] = 15
    backlog: Annotated[int, Field(ge=0, le=1000)] = 0
    """How many of the newest items to announce the first time a feed is read."""
    public: bool = False
    """The URL may be logged whole; otherwise its query (often a private feed's key) is masked."""

    _id = field_validator("id")(_check_id)
    _url = field_validator("url")(check_http_url)

    @field_validator("id")
    @classmethod
    def _not_a_kind(cls, value: str) -> str:
        # a news item's id is "<feed id>:<slug>" and shows as what a post is about,
        # beside "page:<id>" and "announcement:<id>": a feed of that name would blur them
        if value in ("page", "announcement"):
            raise ValueError(f"{value!r} cannot name a feed (it names pages and announcements)")
        return value

    @model_validator(mode="after")
    def _one_source(self) -> FeedConfig:
        if (self.url is None) == (self.path is None):
            raise ValueError("give exactly one of 'url' or 'path'")
        return self


class CampaignInfo(Model):
    name: LocalText
    base_url: str
    mirror_url: str | None = None
    languages: list[str] = Field(default_factory=lambda: ["en"], min_length=1)
    default_language: str = "en"
    hashtags: list[str] = Field(default_factory=list)
    timezone: str = "UTC"
    dates: dict[str, dt.date] = Field(default_factory=dict)
    """Named dates for the campaign clock, e.g. arrest, sentence."""

    _name = field_validator("name", mode="before")(_local)
    _urls = field_validator("base_url", "mirror_url")(check_http_url)

    @field_validator("languages")
    @classmethod
    def _langs(cls, v: list[str]) -> list[str]:
        for lang in v:
            if not _LANG.match(lang):
                raise ValueError(f"{lang!r} is not a language code like 'en' or 'be'")
        return v

    @field_validator("hashtags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        out = []
        for tag in v:
            tag = tag.lstrip("#")
            if not tag or not re.fullmatch(r"\w+", tag):
                raise ValueError(f"hashtag {tag!r} may hold only letters, digits and '_'")
            out.append(tag)
        return out

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {v!r}; use a name like 'Europe/Minsk'") from None
        return v

    @model_validator(mode="after")
    def _default_in_languages(self) -> CampaignInfo:
        if self.default_language not in self.languages:
            raise ValueError(
                f"default_language {self.default_language!r} is not in languages {self.languages}"
            )
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Utm(Model):
    enabled: bool = False
    source: str = "share"
    medium: str = "social"
    campaign: str = ""


class ShareBarSettings(Model):
    """How the share bars look: `outreach buttons` and the embed read it."""

    first: dict[str, list[str]] = Field(default_factory=dict)
    """Per language ("*" for the rest): the networks shown before "More". Unset: the
    private and encrypted routes, then the others, up to `compact_size`."""
    compact: bool = True
    """False: every network in one open row, no "More"."""
    compact_size: Annotated[int, Field(ge=1, le=12)] = 5
    style: Literal["labelled", "icons"] = "labelled"
    direction: Literal["horizontal", "vertical"] = "horizontal"
    new_tab: bool = True
    """Share links to other sites open in a new tab (rel="noopener noreferrer")."""


class FediverseServer(Model):
    host: str
    """A server name such as mastodon.social."""
    software: str = "mastodon"
    """Its software: an id from the fediverse entry's `software` list in share_targets.yaml."""

    @field_validator("host")
    @classmethod
    def _host(cls, v: str) -> str:
        if not re.fullmatch(r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", v):
            raise ValueError(f"{v!r} is not a server name such as mastodon.social")
        return v


class ShareSettings(Model):
    targets_file: str | None = None
    """share_targets.yaml to use; the bundled one when unset."""
    networks: list[str] | None = None
    """Which networks to offer, in this order; all active ones when unset."""
    russian_jurisdiction: bool = False
    """Offer VK, Odnoklassniki, LiveJournal (labelled as under Russian jurisdiction)."""
    use_mirror: bool = False
    utm: Utm = Field(default_factory=Utm)
    before_you_share: LocalText = Field(default_factory=dict)
    bar: ShareBarSettings = Field(default_factory=ShareBarSettings)
    fediverse_servers: list[FediverseServer] = Field(default_factory=list)
    """Servers the fediverse picker suggests; without JavaScript, the only ones it can offer."""


class QuietHours(Model):
    start: dt.time
    end: dt.time


class ChannelBase(Model):
    """What every channel has; each network's module adds its own fields (networks/<name>.py)."""

    id: str
    kind: str
    """The network's name: which module in outreach/networks/ declares the rest."""
    language: str = "en"
    token_env: str | None = None
    token_file: str | None = None
    quiet_hours: QuietHours | None = None
    token: Secret | None = Field(default=None, exclude=True)
    """Not from YAML: resolved from token_env / token_file when the config is loaded."""

    _id = field_validator("id")(_check_id)
    _token = field_validator("token", mode="before")(_no_plain_token)


def _channel_by_kind(value: Any) -> ChannelBase:
    """A channel validated by the model its network declares (`kind: mastodon` -> networks.mastodon)."""
    from .networks import all_networks, find_network  # the networks import this module

    if isinstance(value, ChannelBase):
        return value
    if not isinstance(value, dict):
        raise ValueError("a channel is a mapping with at least 'id' and 'kind'")
    known = ", ".join(n.name for n in all_networks())
    kind = value.get("kind")
    if kind is None:
        raise ValueError(f"the channel has no kind: give one of {known}")
    network = find_network(kind) if isinstance(kind, str) else None
    if network is None:
        raise ValueError(f"kind {kind!r} is not a network outreach knows: use one of {known}")
    return network.channel_model.model_validate(value)


# SerializeAsAny: a channel dumps with its network's fields, not only the base's.
Channel = Annotated[SerializeAsAny[ChannelBase], PlainValidator(_channel_by_kind)]
"""A channel of any registered network, validated by that network's own model."""


class AnnouncementConfig(Model):
    id: str
    template: str
    page: str | None = None
    channels: list[str] = Field(default_factory=lambda: ["*"])
    at: dt.datetime | None = None
    cron: str | None = None
    timezone: str | None = None
    text: str | None = None
    """Its own one-off text, a Jinja2 template rendered instead of the `template` kind's files
    (written in the web console's composer; `template` is then ONE_OFF)."""

    _id = field_validator("id")(_check_id)

    @model_validator(mode="after")
    def _one_when(self) -> AnnouncementConfig:
        if (self.at is None) == (self.cron is None):
            raise ValueError("give exactly one of 'at' (a date and time) or 'cron'")
        return self


class StoreConfig(Model):
    url: str = "sqlite:///outreach.sqlite3"
    lease_seconds: Annotated[float, Field(gt=0)] = 10.0
    """PostgreSQL, several instances: a dead instance's channels pass on after this (outreach/instances.py)."""
    renew_seconds: Annotated[float, Field(gt=0)] = 2.0
    """How often an instance renews its leases; under lease_seconds / 4."""

    @model_validator(mode="after")
    def _renewed_in_time(self) -> StoreConfig:
        # outreach/instances.py: three beats fit well inside a lease, and the last fifth
        # of it is kept as a margin for an instance that lost the database to stop in
        if not 3 * self.renew_seconds < 0.8 * self.lease_seconds:
            raise ValueError(
                f"renew_seconds ({self.renew_seconds:g}) must be under a quarter of "
                f"lease_seconds ({self.lease_seconds:g}), e.g. 2 and 10"
            )
        return self

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        from sqlalchemy.engine import make_url  # only when a config is loaded, not for --help

        # Our own words: SQLAlchemy's would repeat the URL, and it may hold a password.
        try:
            url = make_url(v)
            if url.port is not None and not 0 < url.port < 65536:
                raise ValueError("port out of range")
        except Exception:
            raise ValueError(
                "not a database URL: use sqlite:///path/to/file.sqlite3 or "
                "postgresql://user@host:5432/dbname"
            ) from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError(
                f"the store must be SQLite or PostgreSQL, not {url.get_backend_name()!r}"
            )
        return v


class DeliverySettings(Model):
    # Upper bounds too: a number typed with a few zeros too many would overflow a
    # timedelta deep in the delivery loop instead of being named here.
    retry_budget: Annotated[int, Field(ge=0, le=100)] = 5
    backoff_base_seconds: Annotated[float, Field(gt=0, le=86_400)] = 2.0
    backoff_max_seconds: Annotated[float, Field(gt=0, le=7 * 86_400)] = 300.0
    misfire_grace_minutes: Annotated[int, Field(ge=0, le=7 * 24 * 60)] = 60
    timeout_seconds: Annotated[float, Field(gt=0, le=3_600)] = 20.0


class AdminConfig(Model):
    token_env: str | None = None
    token_file: str | None = None
    allowed_users: list[int] = Field(default_factory=list)
    alert_chat: str | int | None = None
    api_base_url: str | None = None
    token: Secret | None = Field(default=None, exclude=True)
    """Not from YAML: resolved from token_env / token_file when the config is loaded."""

    _token = field_validator("token", mode="before")(_no_plain_token)
    _api = field_validator("api_base_url")(check_endpoint_url)


class WebConfig(Model):
    """The organisers' web console (`outreach web`)."""

    base_url: str = "http://127.0.0.1:8080"
    """Where organisers reach it (the reverse proxy's https:// address): sign-in links point here."""
    session_hours: Annotated[float, Field(gt=0, le=24 * 30)] = 12.0
    link_minutes: Annotated[float, Field(gt=0, le=60)] = 10.0
    """How long a sign-in link from the admin bot's /web works (once)."""
    telegram_role: Literal["viewer", "organiser", "admin"] = "organiser"
    """The role of an admin.allowed_users member without an account of their own."""

    @field_validator("base_url")
    @classmethod
    def _base(cls, v: str) -> str:
        if not re.match(r"https?://[^/\s]+", v):
            raise ValueError("give the console's address, e.g. https://outreach.example.org")
        return v.rstrip("/")


class Config(Model):
    campaign: CampaignInfo
    share: ShareSettings = Field(default_factory=ShareSettings)
    pages: list[PageConfig] = Field(default_factory=list)
    feeds: list[FeedConfig] = Field(default_factory=list)
    channels: list[Channel] = Field(default_factory=list)
    announcements: list[AnnouncementConfig] = Field(default_factory=list)
    store: StoreConfig = Field(default_factory=StoreConfig)
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    admin: AdminConfig = Field(default_factory=AdminConfig)
    web: WebConfig = Field(default_factory=WebConfig)
    messages_dir: str | None = None
    """An organiser's own template folder, layered over the bundled `messages/`."""

    # Not from YAML: where the file was, for relative paths and error messages.
    source: Path = Field(default=Path("."), exclude=True)

    @property
    def base_dir(self) -> Path:
        return self.source.parent

    def resolve_path(self, value: str) -> Path:
        p = Path(value).expanduser()
        return p if p.is_absolute() else self.base_dir / p

    def page(self, page_id: str) -> PageConfig | None:
        return next((p for p in self.pages if p.id == page_id), None)

    def channel(self, channel_id: str) -> ChannelBase | None:
        return next((c for c in self.channels if c.id == channel_id), None)

    def channels_for(self, selector: list[str]) -> list[ChannelBase]:
        if "*" in selector:
            return list(self.channels)
        return [c for c in self.channels if c.id in selector]


def default_config_path(environ: Mapping[str, str], cwd: Path | None = None) -> Path:
    """--config, else $OUTREACH_CONFIG, else ./outreach.yaml, else the bundled campaign."""
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    local = (cwd or Path.cwd()) / "outreach.yaml"
    return local if local.exists() else BUNDLED_CONFIG


def load_config(path: Path | str | None = None, environ: Mapping[str, str] | None = None) -> Config:
    environ = environ if environ is not None else {}
    path = Path(path) if path else default_config_path(environ)
    doc = load_yaml(path)
    return config_from_doc(doc, environ)


def config_from_doc(doc: YamlDoc, environ: Mapping[str, str]) -> Config:
    if not isinstance(doc.data, dict):
        raise ConfigError(f"{doc.where(())}: the config must be a mapping with a 'campaign' key")
    data = dict(doc.data)
    if environ.get(STORE_ENV):
        data["store"] = {**(data.get("store") or {}), "url": environ[STORE_ENV]}
    try:
        cfg = Config.model_validate({**data, "source": doc.path})
    except ValidationError as exc:
        raise ConfigError(
            f"{doc.path}: the campaign config is not valid", validation_problems(doc, exc)
        ) from None
    problems = _cross_check(cfg, doc)
    if problems:
        raise ConfigError(f"{doc.path}: the campaign config is not consistent", problems)
    return with_secrets(cfg, environ)


def with_secrets(cfg: Config, environ: Mapping[str, str]) -> Config:
    """The config with every token (channels, admin bot) resolved, once, into a Secret."""

    def resolved(holder: Any) -> Any:
        token = resolve_secret(holder.token_env, holder.token_file, environ, cfg.base_dir)
        return holder.model_copy(update={"token": token})

    return cfg.model_copy(
        update={"channels": [resolved(c) for c in cfg.channels], "admin": resolved(cfg.admin)}
    )


def _cross_check(cfg: Config, doc: YamlDoc) -> list[str]:
    """Checks that span sections: unique ids and references that must exist."""
    problems: list[str] = []
    langs = set(cfg.campaign.languages)

    def dupes(section: str, ids: list[str]) -> None:
        seen: set[str] = set()
        for i, ident in enumerate(ids):
            if ident in seen:
                problems.append(f"{doc.where((section, i, 'id'))}: duplicate id {ident!r}")
            seen.add(ident)

    dupes("pages", [p.id for p in cfg.pages])
    dupes("feeds", [f.id for f in cfg.feeds])
    dupes("channels", [c.id for c in cfg.channels])
    dupes("announcements", [a.id for a in cfg.announcements])
    channel_ids = {c.id for c in cfg.channels}
    for i, ch in enumerate(cfg.channels):
        if ch.language not in langs:
            problems.append(
                f"{doc.where(('channels', i, 'language'))}: language {ch.language!r} "
                f"is not one of the campaign's languages {sorted(langs)}"
            )
    sections: tuple[tuple[str, Sequence[FeedConfig | AnnouncementConfig]], ...] = (
        ("feeds", cfg.feeds),
        ("announcements", cfg.announcements),
    )
    for section, items in sections:
        for i, item in enumerate(items):
            for j, ref in enumerate(item.channels):
                if ref != "*" and ref not in channel_ids:
                    problems.append(
                        f"{doc.where((section, i, 'channels', j))}: unknown channel {ref!r}"
                    )
    page_ids = {p.id for p in cfg.pages}
    for i, ann in enumerate(cfg.announcements):
        if ann.page and ann.page not in page_ids:
            problems.append(f"{doc.where(('announcements', i, 'page'))}: unknown page {ann.page!r}")
        problem = _schedule_problem(ann, cfg.campaign.timezone)
        if problem:
            field, message = problem
            problems.append(f"{doc.where(('announcements', i, field))}: {message}")
    return problems


def _schedule_problem(ann: AnnouncementConfig, campaign_tz: str) -> tuple[str, str] | None:
    """What the schedule would refuse later (a cron field out of range, an hour the
    clocks skip, an unknown zone), found when the file is loaded: (field, message)."""
    from . import schedule  # the schedule imports APScheduler: only once a config is loaded
    from .errors import ScheduleError

    try:
        tz = schedule.zone(ann.timezone or campaign_tz)
    except ScheduleError as exc:
        return "timezone", str(exc)
    field = "cron" if ann.cron else "at"
    try:
        schedule.trigger(
            schedule.Announcement(
                id=ann.id, channels=tuple(ann.channels), timezone=tz.key, at=ann.at, cron=ann.cron
            )
        )
    except ScheduleError as exc:
        return field, str(exc)
    return None


def token_problems(cfg: Config) -> list[str]:
    """Tokens named in the file that cannot be read (a missing or unreadable token_file).

    Not an error when the config is loaded (`outreach buttons` needs no token),
    but `check` reports them, since `run` and `deliver` would refuse them.
    """
    doc = load_yaml(cfg.source) if cfg.source.is_file() else None
    holders: list[tuple[tuple[str | int, ...], Any]] = [
        (("channels", i), c) for i, c in enumerate(cfg.channels)
    ]
    holders.append((("admin",), cfg.admin))
    problems = []
    for loc, holder in holders:
        if holder.token is None:
            continue
        try:
            holder.token.get_secret_value()
        except ConfigError as exc:
            where = doc.where((*loc, "token_file")) if doc else f"{cfg.source}"
            problems.append(f"{where}: {exc}")
    return problems
