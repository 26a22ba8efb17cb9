"""deploy/: the systemd units verify, are hardened, and get their tokens as credentials;
the container file builds from the wheel where a builder exists; compose pairs it with
PostgreSQL. What needs a tool this machine lacks is skipped, never faked.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from outreach.errors import ConfigError
from outreach.secret import resolve_secret

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
INSTALLED = "/opt/outreach/venv/bin/outreach"


def _unit(path: Path) -> dict[str, list[str]]:
    """The [Service] section, every value of a repeated key kept."""
    values: dict[str, list[str]] = {}
    section = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            values.setdefault(key, []).append(value)
    return values


def test_there_is_a_unit_for_the_service_and_one_for_the_admin_bot():
    assert [u.name for u in UNITS] == ["outreach-adminbot.service", "outreach.service"]
    commands = {u.name: _unit(u)["ExecStart"][0] for u in UNITS}
    assert commands["outreach.service"].endswith(" run")
    assert commands["outreach-adminbot.service"].endswith(" adminbot")
    assert all(c.startswith(INSTALLED) and "--log-format json" in c for c in commands.values())


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_units_are_hardened(unit: Path):
    s = _unit(unit)
    assert s["User"] == ["outreach"] and s["Group"] == ["outreach"]
    for key, value in {
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "Restart": "on-failure",
        "CapabilityBoundingSet": "",
        "UMask": "0077",
    }.items():
        assert s.get(key) == [value], key
    # Tokens come as credentials (files only this service can read), never in the unit.
    creds = s["LoadCredential"]
    assert creds and all(c.split(":", 1)[1].startswith("/etc/outreach/credentials/") for c in creds)
    assert not [e for e in s.get("Environment", []) if "TOKEN" in e.upper()]


@pytest.mark.parametrize("unit", UNITS, ids=lambda u: u.name)
def test_systemd_analyze_verify(unit: Path, tmp_path: Path):
    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed here")
    # The one change: ExecStart points at this venv's outreach instead of /opt/outreach's,
    # since verify checks that the program exists.
    here = Path(sys.executable).parent / "outreach"
    copy = tmp_path / unit.name
    copy.write_text(unit.read_text(encoding="utf-8").replace(INSTALLED, str(here)), "utf-8")
    done = subprocess.run([tool, "verify", str(copy)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr


def test_a_token_file_under_credentials_directory(tmp_path: Path):
    (tmp_path / "mastodon-en").write_text("tok-from-credential\n", encoding="utf-8")
    name = "${CREDENTIALS_DIRECTORY}/mastodon-en"
    secret = resolve_secret(None, name, {"CREDENTIALS_DIRECTORY": str(tmp_path)}, Path("/x"))
    assert secret is not None and secret.get_secret_value() == "tok-from-credential"
    unset = resolve_secret(None, name, {}, Path("/x"))
    assert unset is not None
    with pytest.raises(ConfigError, match=r"\$CREDENTIALS_DIRECTORY is not set.*LoadCredential"):
        unset.get_secret_value()


def test_compose_runs_both_processes_on_postgresql():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert services["db"]["image"].split(":")[0].endswith("postgres")
    for name, command in (("run", ["run"]), ("adminbot", ["adminbot"])):
        svc = services[name]
        assert svc["command"] == command
        assert svc["environment"]["OUTREACH_DB_URL"].startswith("postgresql://")
        assert svc["build"]["dockerfile"] == "deploy/Containerfile"
        assert svc["read_only"] is True and svc["cap_drop"] == ["ALL"]
        assert set(svc["secrets"]) <= set(compose["secrets"])


def test_containerfile_installs_the_wheel_and_runs_as_a_non_root_user():
    text = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    assert "pip wheel" in text and "--no-index --find-links /wheels" in text
    users = [line.split()[1] for line in text.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")


def _builder() -> list[str] | None:
    for tool in ("podman", "docker"):
        exe = shutil.which(tool)
        if exe and subprocess.run([exe, "info"], capture_output=True).returncode == 0:
            return [exe]
    return None


@pytest.mark.slow
def test_the_container_builds_and_runs_check_as_non_root():
    builder = _builder()
    if builder is None:
        pytest.skip("no container builder with a running engine here (docker info, podman info)")
    tag = "outreach-test:ci"
    subprocess.run(
        [*builder, "build", "-f", str(DEPLOY / "Containerfile"), "-t", tag, str(ROOT)],
        check=True,
        timeout=1800,
    )
    uid = subprocess.run(
        [*builder, "run", "--rm", "--entrypoint", "id", tag, "-u"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert uid != "0"
    check = subprocess.run([*builder, "run", "--rm", tag, "check"], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
