"""The study model: the design (arms, visits), the :class:`Study` value every builder takes, provenance of
printed numbers, and the loaders of a published study folder.

``from cratus.study import Study, load_study`` is the package's face (:mod:`cratus.study.model`).
"""

from cratus.study.model import Study, default_study_dir, load_study

__all__ = ["Study", "default_study_dir", "load_study"]
