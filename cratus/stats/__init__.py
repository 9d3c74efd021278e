"""Statistics: from printed summaries (between arms, within an arm, power, multiplicity) and from patients (ANCOVA
with LS means, repeated measures, time to event, categorical and binary endpoints), each on scipy or statsmodels."""
