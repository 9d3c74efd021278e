"""README.md gives the commands that CI and Streamlit Community Cloud actually run."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_COMMAND = ("apt-get update && apt-get install -y chromium && pip install -r requirements-dev.txt "
                "&& python -m pytest")
RUN_COMMAND = "pip install -r requirements.txt && streamlit run app.py"


def readme_lines() -> list[str]:
    return [line.strip() for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert TEST_COMMAND in commands, f".ci/run does not run the line {TEST_COMMAND!r}"


def test_readme_gives_the_test_command():
    assert TEST_COMMAND in readme_lines(), f"README.md lacks the test command line {TEST_COMMAND!r}"


def test_readme_gives_the_run_command():
    assert RUN_COMMAND in readme_lines(), f"README.md lacks the run command line {RUN_COMMAND!r}"


def test_readme_commands_are_in_bash_blocks():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = "\n".join(re.findall(r"^```(?:bash|sh|shell)\n(.*?)^```", text, flags=re.M | re.S))
    for command in (TEST_COMMAND, RUN_COMMAND):
        assert command in [line.strip() for line in blocks.splitlines()], f"{command!r} is not in a ```bash block"
