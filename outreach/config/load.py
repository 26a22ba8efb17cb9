"""Reading the campaign file: YAML to validated models, cross-section checks, tokens resolved."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import ConfigError
from ..resources import bundled_campaign
from ..secret import resolve_secret
from ..validation_lines import validation_problems
from ..yaml_doc import YamlDoc
from ..yamlfile import load_yaml
from .campaign import AnnouncementConfig, FeedConfig
from .root import Config

BUNDLED_CONFIG = bundled_campaign()
CONFIG_ENV = "OUTREACH_CONFIG"
STORE_ENV = "OUTREACH_DB_URL"


def default_config_path(environ: Mapping[str, str], cwd: Path | None = None) -> Path:
    """--config, else $OUTREACH_CONFIG, else ./outreach.yaml, else the bundled campaign."""
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV])
    local = (cwd or Path.cwd()) / "outreach.yaml"
    return local if local.exists() else BUNDLED_CONFIG


def load_config(path: Path | str | None = None, environ: Mapping[str, str] | None = None) -> Config:
    environ = environ if environ is not None else {}
    return config_from_doc(read_config_doc(path, environ), environ)


def read_config_doc(path: Path | str | None, environ: Mapping[str, str]) -> YamlDoc:
    """The campaign file (`path`, else default_config_path's choice) as parsed, with the
    line of every value: what config_from_doc validates, and `check` names lines from."""
    return load_yaml(Path(path) if path else default_config_path(environ))


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
            f"{doc.path}: the campaign config is not valid",
            validation_problems(doc, exc, model=Config),
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
                    said = _unknown("channel", ref, [c.id for c in cfg.channels])
                    problems.append(f"{doc.where((section, i, 'channels', j))}: {said}")
    page_ids = {p.id for p in cfg.pages}
    for i, ann in enumerate(cfg.announcements):
        if ann.page and ann.page not in page_ids:
            said = _unknown("page", ann.page, [p.id for p in cfg.pages])
            problems.append(f"{doc.where(('announcements', i, 'page'))}: {said}")
        problem = _schedule_problem(ann, cfg.campaign.timezone)
        if problem:
            field, message = problem
            problems.append(f"{doc.where(('announcements', i, field))}: {message}")
    return problems


def _unknown(what: str, value: str, known: list[str]) -> str:
    """'unknown page 'ale'; did you mean 'ales'?', or the known ones listed."""
    from ..validation_words import unknown  # difflib: only for a file with errors

    return unknown(what, value, known)


def _schedule_problem(ann: AnnouncementConfig, campaign_tz: str) -> tuple[str, str] | None:
    """What the schedule would refuse later (a cron field out of range, an hour the
    clocks skip, an unknown zone), found when the file is loaded: (field, message)."""
    from .. import schedule  # the schedule imports APScheduler: only once a config is loaded
    from ..errors import ScheduleError

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
