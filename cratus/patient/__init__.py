"""Patient-level data: read CDISC ADaM or long-format files and summarise them as a study.

Two steps.  :func:`read_patient_data` recognises each file's role from its
columns (ADSL / ``subjects.csv``, BDS datasets / ``measurements.csv``, ADAE /
``adverse_events.csv``; ``.xpt``, ``.csv``, ``.xlsx`` or ``.parquet``) and
returns tidy frames (:class:`PatientData`).  :func:`to_study` computes a
:class:`~cratus.study.model.Study` of kind ``"patient"`` from them: the design,
Table 1, per-visit summaries, p-values (each saying what it compares) and
adverse events, optionally laid out like a published ``reference`` study.
:mod:`cratus.patient.stats` gives the tests as tidy frames,
:mod:`cratus.patient.labs` safety laboratory data (reference-range shift
tables, eDISH and Hy's law), :mod:`cratus.patient.profile` one participant's
values and adverse events, and :mod:`cratus.patient.synthetic` a seeded
synthetic dataset shaped like the published study.

Examples
--------
Synthetic data written as SAS transport files, read back and summarised:

>>> from cratus.study.model import load_study
>>> from cratus.patient import read_patient_data, to_study
>>> from cratus.patient.synthetic import synthetic_files, fidelity_table
>>> files = synthetic_files("adam", seed=1)          # {name: bytes}, nothing on disk
>>> sorted(files)
['adae.xpt', 'adfu.xpt', 'adim.xpt', 'adlb.xpt', 'adqu.xpt', 'adsl.xpt']
>>> data = read_patient_data(*files.values(), names=list(files))
>>> data.arms, data.mapping.arm_variable, data.population
(('Allo-hMSC 100M', 'Allo-hMSC 200M', 'Placebo'), 'TRT01P', 'SAFFL')
>>> published = load_study()
>>> study = to_study(data, reference=published)
>>> study.kind, study.design.arm_ids, study.n_per_arm()["total"]
('patient', ('100M', '200M', 'placebo'), 30.0)
>>> row = study.summary.query("endpoint == 'age' and arm == '100M' and statistic == 'mean'")
>>> round(float(row["value"].iloc[0]), 1)                 # Table 1 prints 75.0 ± 7.4
75.0
>>> bool(fidelity_table(study, published).query("statistic in ['mean', 'sd']")["within_rounding"].all())
True

The tests as tidy frames (the study as first argument, so pages can cache them):

>>> from cratus.patient.stats import within_arm_tests
>>> t = within_arm_tests(study, "six_minute_walk", "month6")
>>> t[["arm", "test", "n"]].head(2).values.tolist()
[['100M', 'paired t-test', 10], ['100M', 'Wilcoxon signed-rank test', 10]]

The same in one call (:mod:`cratus.outputs.code`, as the dashboard's code snippets open data):

>>> from cratus.patient import open_study
>>> open_study(files, mapping={"population": "all"}).n_per_arm()["total"]
30.0
"""

from cratus.patient.mapping import Mapping
from cratus.patient.model import PatientData, read_patient_data
from cratus.outputs.code import open_study
from cratus.patient.summarize import to_study

__all__ = ["Mapping", "PatientData", "open_study", "read_patient_data", "to_study"]
