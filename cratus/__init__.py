from cratus.patient import read_patient_data  # noqa: F401  (cratus.read_patient_data)
