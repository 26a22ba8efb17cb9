"""`Secret`: a token resolved once, when the config is loaded, that never prints.

Like Starlette's `Secret`, `repr()` gives `Secret('**********')`; unlike it,
`str()` does too, so an f-string or a log line cannot leak the value by
accident: only `get_secret_value()` gives it, and only the code that talks to
a network calls it.

A token file that cannot be read is not an error when the config is loaded
(`outreach buttons` on a laptop needs no token): the secret remembers why,
and `get_secret_value()` raises a ConfigError saying so, where the token is
needed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigError

__all__ = ["Secret", "resolve_secret"]

_MASK = "**********"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


class Secret:
    __slots__ = ("_problem", "_value")

    def __init__(self, value: str, *, problem: str | None = None) -> None:
        self._value = value
        self._problem = problem

    @classmethod
    def unreadable(cls, problem: str) -> Secret:
        """A secret whose source could not be read; using it raises ConfigError(problem)."""
        return cls("", problem=problem)

    def get_secret_value(self) -> str:
        if self._problem is not None:
            raise ConfigError(self._problem)
        return self._value

    @property
    def readable(self) -> bool:
        return self._problem is not None or bool(self._value)

    def __bool__(self) -> bool:
        """True when there is a value (or a reason why it could not be read)."""
        return self.readable

    def __repr__(self) -> str:
        return f"{type(self).__name__}('{_MASK}')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return (self._value, self._problem) == (other._value, other._problem)

    def __hash__(self) -> int:
        return hash((self._value, self._problem))

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        # A config field holds a resolved Secret, never text from the YAML file.
        from pydantic_core import core_schema

        return core_schema.is_instance_schema(
            cls, serialization=core_schema.plain_serializer_function_ser_schema(repr)
        )


def resolve_secret(
    env_name: str | None,
    file_name: str | None,
    environ: Mapping[str, str],
    base_dir: Path,
) -> Secret | None:
    """A token from the named environment variable, else the file; None when neither is set.

    The file's name may hold `$NAME` or `${NAME}`, taken from `environ`: under
    systemd, `token_file: ${CREDENTIALS_DIRECTORY}/mastodon-en` reads the
    credential a unit's `LoadCredential=mastodon-en:...` handed the service.
    """
    if env_name and environ.get(env_name):
        return Secret(environ[env_name].strip())
    if file_name:
        unset = [m[0] or m[1] for m in _VAR.findall(file_name) if not environ.get(m[0] or m[1])]
        if unset:
            hint = " (systemd sets it for a unit with LoadCredential=)"
            return Secret.unreadable(
                f"token file {file_name}: ${unset[0]} is not set"
                + (hint if unset[0] == "CREDENTIALS_DIRECTORY" else "")
            )
        file_name = _VAR.sub(lambda m: environ[m[1] or m[2]], file_name)
        path = Path(file_name).expanduser()
        path = path if path.is_absolute() else base_dir / path
        try:
            value = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            return Secret.unreadable(f"token file {path} cannot be read: {exc.strerror}")
        return Secret(value) if value else None
    return None
