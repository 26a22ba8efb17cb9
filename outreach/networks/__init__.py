"""The networks outreach posts to, each declared in its own module (see networks/base.py).

    network(name) -> Network          # ConfigError naming the known ones
    find_network(name) -> Network | None
    all_networks() -> [Network]       # the bundled ones first, then any registered
    register(network) / unregister(name)

Every module in this package that defines a Network subclass with a `name` is
registered when the registry is first asked, so adding a network needs no edit
here (as Apprise finds its plugins); `register` adds one from elsewhere (a test).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import threading
from typing import Any, get_args

from ..errors import ConfigError
from .base import Network

__all__ = ["Network", "all_networks", "find_network", "network", "register", "unregister"]

_registry: dict[str, Network[Any]] = {}
_loaded = False
_lock = threading.Lock()


def _load_bundled() -> None:
    global _loaded
    with _lock:
        if _loaded:
            return
        for info in pkgutil.iter_modules(__path__):
            if info.name == "base":
                continue
            module = importlib.import_module(f"{__name__}.{info.name}")
            for obj in vars(module).values():
                if (
                    inspect.isclass(obj)
                    and issubclass(obj, Network)
                    and obj.__module__ == module.__name__
                    and not inspect.isabstract(obj)
                ):
                    _registry.setdefault(obj.name, _checked(obj()))
        _loaded = True


def register(net: Network[Any]) -> Network[Any]:
    """Add a network declared outside this package; its name must be new."""
    _load_bundled()
    if net.name in _registry:
        raise ValueError(f"a network named {net.name!r} is already registered")
    _registry[net.name] = _checked(net)
    return net


def _checked(net: Network[Any]) -> Network[Any]:
    """A declaration whose channels could never be configured is refused when it is made."""
    kind = net.channel_model.model_fields.get("kind")
    if kind is None or get_args(kind.annotation) != (net.name,):
        raise ValueError(
            f"network {net.name!r}: its channel_model {net.channel_model.__name__} must declare "
            f'kind: Literal["{net.name}"], so that `kind: {net.name}` in the config selects it'
        )
    return net


def unregister(name: str) -> None:
    _load_bundled()
    _registry.pop(name, None)


def find_network(name: str) -> Network[Any] | None:
    _load_bundled()
    return _registry.get(name)


def network(name: str) -> Network[Any]:
    found = find_network(name)
    if found is None:
        known = ", ".join(n.name for n in all_networks())
        raise ConfigError(f"no network named {name!r}: outreach knows {known}")
    return found


def all_networks() -> list[Network[Any]]:
    _load_bundled()
    return list(_registry.values())
