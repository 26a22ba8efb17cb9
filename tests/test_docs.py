"""The docs stay honest: every command is in the README and has an example in its help."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from outreach.cli import COMMANDS, cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def all_commands() -> list[tuple[str, ...]]:
    """Every command path, e.g. ('schedule', 'add'), groups and their subcommands."""
    out: list[tuple[str, ...]] = []
    ctx = click.Context(cli)
    for name in COMMANDS:
        cmd = cli.get_command(ctx, name)
        assert cmd is not None, f"COMMANDS names {name!r} but it cannot be loaded"
        out.append((name,))
        if isinstance(cmd, click.Group):
            out.extend((name, sub) for sub in cmd.list_commands(ctx))
    return out


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_is_in_the_readme(path: tuple[str, ...]):
    assert re.search(r"outreach\s+(--\S+\s+\S+\s+)?" + r"\s+".join(path) + r"\b", README), (
        f"`outreach {' '.join(path)}` is not shown anywhere in README.md"
    )


@pytest.mark.parametrize("path", all_commands(), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "example" in result.output.lower(), f"`outreach {' '.join(path)} --help` has no example"


def test_the_readme_opens_with_the_two_commands_ci_runs():
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line for line in first_block.splitlines() if line and not line.startswith("#")]
    assert len(commands) == 2
    assert commands[0].endswith("outreach run --once")
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci.splitlines(), ".ci/run must run exactly the README's test command"
