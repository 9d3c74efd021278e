"""Patient-level data: read CDISC ADaM or long-format files, summarise them as a :class:`~cratus.study.Study`.

Placeholder docstring; the runnable example is added below.
"""

from cratus.patient.mapping import Mapping
from cratus.patient.model import PatientData, read_patient_data

__all__ = ["Mapping", "PatientData", "read_patient_data"]
