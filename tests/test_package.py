"""cratus is a package others can install: ``pip install .`` gives a wheel with every subpackage and the
published study, and ``import cratus`` works from any folder (as in a notebook started elsewhere)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.package


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """``pip wheel .`` (what ``pip install .`` builds), installed into a folder of its own: (wheel, folder)."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(out)],
                   check=True, capture_output=True)
    wheel = next(out.glob("cratus-*.whl"))
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    return wheel, target


def test_the_wheel_holds_every_subpackage_and_the_published_study(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    packages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "cratus").rglob("__init__.py")}
    assert packages <= names, packages - names
    data = {f"cratus/_data/{p.name}" for p in (ROOT / "data").glob("*.csv")}
    assert data and data <= names, data - names
    assert not any(name.startswith(("ui/", "pages/", "tests/")) for name in names)


def test_the_installed_package_opens_the_published_study_from_another_folder(installed, tmp_path):
    _, target = installed
    script = ("import cratus.study.published as p; from cratus.study.model import load_study; "
              "from cratus.tables.baseline import table_one; "
              "print(p.DATA_DIR); print(table_one(load_study(), arms=['100M']).iloc[9].tolist())")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            env={"PYTHONPATH": str(target), "PATH": ""}, check=True)
    folder, row = result.stdout.splitlines()
    assert Path(folder) == target / "cratus" / "_data"  # the copy inside the package, not a checkout's data/
    # Table 1 of the paper: age at infusion 75.0 ± 7.4 (100M) and 75.5 ± 7.3 (total); as in README.md
    assert row == "['Age at infusion (years)', '75.0 ± 7.4', '75.5 ± 7.3']"
