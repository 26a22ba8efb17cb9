"""The one build step pyproject.toml cannot say: put the editable top-level files in the wheel.

`messages/` and `share_targets.yaml` stay at the top of the repository, where
organisers edit them; a wheel carries them as package data under
outreach/_bundled/, where outreach/resources.py reads them. An editable install
(`pip install -e .`) copies nothing: resources.py reads the checkout's files.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
BUNDLED = ("messages", "share_targets.yaml")  # outreach/resources.py: BUNDLED


class BuildPyWithBundled(build_py):
    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib) / "outreach" / "_bundled"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for name in BUNDLED:
            source = HERE / name
            if source.is_dir():
                shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, target / name)


setup(cmdclass={"build_py": BuildPyWithBundled})
