"""What pyproject.toml cannot say: the published study, ``data/``, ships inside the package as ``cratus/_data``.

An installed ``cratus`` (``pip install .``) then opens the same default study as the repository does;
:data:`cratus.study.published.DATA_DIR` finds either copy.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["cratus", "cratus.*"]), "cratus._data"],
      package_dir={"cratus._data": "data"},
      package_data={"cratus._data": ["*.csv", "*.md"]})
