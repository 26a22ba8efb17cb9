"""What building the campaign file's models costs every command (issue 15: start-up time).

Pydantic asks each default_factory for its signature when it builds a model;
a builtin type's (`list`, `set`, `tuple`) is parsed from its text by tokenize,
whose first use compiles its patterns (~3 ms, then ~0.2 ms a field). The config's
list fields use config.no_items instead.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

from pydantic import BaseModel

import outreach.config as config
from outreach import networks

TEXT_SIGNATURES = (list, set, tuple, frozenset)


def config_models() -> list[type[BaseModel]]:
    """The config package's models and every network's (its channel, its buttons)."""
    found: dict[type[BaseModel], None] = {}
    modules = [config, *(sys.modules[type(n).__module__] for n in networks.all_networks())]
    for module in modules:
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, BaseModel):
                found[obj] = None
    return list(found)


def test_no_config_field_defaults_through_a_builtin_type():
    models = config_models()
    assert config.Config in models and config.CampaignInfo in models
    assert {m.__name__ for m in models} >= {"TelegramChannel", "MastodonChannel"}
    slow: list[str] = []
    for model in models:
        for name, info in model.model_fields.items():
            factory: Any = info.default_factory
            if factory in TEXT_SIGNATURES:
                slow.append(f"{model.__name__}.{name}")
    assert not slow, f"default_factory=config.no_items, not a builtin type: {slow}"


def test_no_items_gives_a_new_list_each_time():
    first, second = (
        config.Config.model_validate(
            {"campaign": {"name": "x", "base_url": "https://example.org"}}
        ),
        config.Config.model_validate(
            {"campaign": {"name": "y", "base_url": "https://example.org"}}
        ),
    )
    assert first.pages == [] and first.campaign.hashtags == []
    assert first.pages is not second.pages
