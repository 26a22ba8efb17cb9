"""Read YAML files keeping where each value came from, so errors can name the line.

Fast, then exact. A file is first read by the fast reader (yaml_fast.py: libyaml's
event stream straight into dicts and lists, with the same rules, yaml_rules.py);
anything out of the ordinary there (an error, an explicit tag, a merge key, a
duplicate key, nesting or aliases past the bounds) is read again by the
line-tracking loader (yaml_exact.py), which decides and names the line. Either way
the answer is a YamlDoc (yaml_doc.py); pydantic's errors on its data become lines
of the file in validation_lines.py.

Bounded work: YAML aliases let 7.5 KB of text stand for billions of values ("billion
laughs"). A file whose aliases stand for more than MAX_VALUES values, nested past
MAX_DEPTH or holding an alias to its own ancestor (yaml_rules.py) is refused naming
the line, before anything else reads it: the fast reader leaves it to the exact
loader, which walks its nodes first.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ConfigError
from .yaml_doc import YamlDoc
from .yaml_exact import _exact_load
from .yaml_fast import _UNDECIDED, _fast_load


def parse_yaml(text: str, path: Path | str) -> YamlDoc:
    """Parse YAML text; a syntax error becomes a ConfigError naming file and line."""
    path = Path(path)
    data = _fast_load(text)
    if data is not _UNDECIDED:
        return YamlDoc(path=path, data=data, text=text)
    return _exact_load(text, path)


def load_yaml(path: Path | str) -> YamlDoc:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_yaml(text, path)
