"""The wheel, installed into a fresh venv outside the checkout, runs the README's first job.

As a new user would: build the wheel, make a new virtual environment (no
system site-packages, nothing of the checkout on its path), `pip install` the
wheel (its dependencies come from pip's cache or index, as for anyone), and run
`check`, `buttons`, `preview ales` and `run --once` twice from an empty folder.
Then the same wheel through pipx, the way the README offers to people who
want the command without managing a venv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-08-04T09:59:00+03:00"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),
]  # a wheel and a venv: minutes on a busy machine


def _run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 600):
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{args[:4]} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip wheel` builds from the checkout, as CI would publish it."""
    base = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    dist = base / "dist"
    _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        cwd=base,
        env=env,
    )
    (built,) = dist.glob("outreach-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """bin/ of a fresh venv holding outreach from its wheel."""
    base = tmp_path_factory.mktemp("packaging")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    venv.create(base / "venv", with_pip=True, system_site_packages=False)
    bin_dir = base / "venv" / "bin"
    _run([str(bin_dir / "pip"), "install", "-q", str(wheel)], cwd=base, env=env)
    return bin_dir


@pytest.fixture
def user(tmp_path: Path, installed: Path) -> tuple[Path, dict[str, str]]:
    """An empty working folder and the environment of someone who just installed outreach."""
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    keep = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        PATH=f"{installed}{os.pathsep}{env.get('PATH', '')}",
        OUTREACH_FAKE_NOW=NOW,
    )
    return work, env


def test_the_wheel_is_not_the_checkout(installed: Path):
    where = subprocess.run(
        [str(installed / "python"), "-c", "import outreach; print(outreach.__file__)"],
        cwd=installed,  # python -c puts the folder it runs in on the path
        env={k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert "site-packages" in where and not where.startswith(str(ROOT))
    # The templates and networks people edit at the top of the repository, carried as they are.
    bundled = Path(where).parent / "_bundled"
    assert (bundled / "share_targets.yaml").read_bytes() == (
        ROOT / "share_targets.yaml"
    ).read_bytes()
    ours = {
        p.relative_to(ROOT / "messages"): p.read_bytes() for p in (ROOT / "messages").rglob("*.j2")
    }
    theirs = {
        p.relative_to(bundled / "messages"): p.read_bytes()
        for p in (bundled / "messages").rglob("*.j2")
    }
    assert ours and theirs == ours


def test_readme_first_job_from_an_empty_folder(user):
    work, env = user
    outreach = "outreach"

    check = _run([outreach, "check"], cwd=work, env=env)
    assert "retired" in (check.stdout + check.stderr).lower()

    _run([outreach, "buttons", "--out", "share-bars"], cwd=work, env=env)
    index = (work / "share-bars" / "index.html").read_text(encoding="utf-8")
    assert "freeales.fidh.net" in index
    assert (work / "share-bars" / "assets" / "sharebar.js").is_file()
    assert (work / "share-bars" / "share" / "fediverse.html").is_file()

    preview = _run([outreach, "preview", "ales"], cwd=work, env=env)
    assert "mastodon-en" in preview.stdout and "telegram-ru" in preview.stdout

    first = _run([outreach, "run", "--once", "--json", "--wait", "0"], cwd=work, env=env)
    sent = [o for o in json.loads(first.stdout)["outcomes"] if o["state"] == "sent"]
    assert {o["channel"] for o in sent} == {"mastodon-en", "telegram-ru", "telegram-be"}
    assert "--- dry-run:" in first.stderr  # the posts, printed instead of sent

    again = _run([outreach, "run", "--once", "--json", "--wait", "0"], cwd=work, env=env)
    assert json.loads(again.stdout)["outcomes"] == []
    assert "--- dry-run:" not in again.stderr

    # The schema's revisions came with the wheel, and the new store is at their head.
    current = _run([outreach, "db", "current", "--json"], cwd=work, env=env)
    assert json.loads(current.stdout)["state"] == "current"

    # The store went to the user data directory, named on first use, and nowhere else.
    store = Path(env["XDG_DATA_HOME"]) / "outreach" / "outreach.sqlite3"
    assert store.is_file()
    assert str(store) in check.stderr
    assert str(store) not in again.stderr
    assert sorted(p.name for p in work.iterdir()) == ["share-bars"]


def test_pipx_installs_the_wheel_and_runs_the_first_job(tmp_path: Path, wheel: Path):
    pipx = Path(sys.executable).parent / "pipx"
    if not pipx.exists():
        pipx = Path(shutil.which("pipx") or "pipx")
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    keep = ("PATH", "LANG", "LC_ALL", "TZ", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        PIPX_HOME=str(home / "pipx"),
        PIPX_BIN_DIR=str(home / "bin"),
        PIPX_MAN_DIR=str(home / "man"),
        OUTREACH_FAKE_NOW=NOW,
    )
    _run([str(pipx), "install", "--python", sys.executable, str(wheel)], cwd=work, env=env)
    outreach = str(home / "bin" / "outreach")

    first = _run([outreach, "run", "--once", "--json", "--wait", "0"], cwd=work, env=env)
    sent = [o for o in json.loads(first.stdout)["outcomes"] if o["state"] == "sent"]
    assert {o["channel"] for o in sent} == {"mastodon-en", "telegram-ru", "telegram-be"}
    again = _run([outreach, "run", "--once", "--json", "--wait", "0"], cwd=work, env=env)
    assert json.loads(again.stdout)["outcomes"] == []

    store = home / ".local" / "share" / "outreach" / "outreach.sqlite3"
    assert store.is_file() and list(work.iterdir()) == []

    # Removing the program leaves the campaign's record of what went out.
    _run([str(pipx), "uninstall", "outreach"], cwd=work, env=env)
    assert not (home / "bin" / "outreach").exists() and store.is_file()
