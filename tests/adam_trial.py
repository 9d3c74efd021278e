"""A made-up trial shaped like a submission's ADaM files, for the protocol analyses' tests, pages and bench.

:func:`adam_trial` returns frames named like the datasets: ``adsl`` (TRT01P/TRT01PN with placebo 0, low 54,
high 81, SITEGR1, AGE, SEX, ITTFL/EFFFL/SAFFL), ``adqs`` (a BDS with a continuous score PARAMCD "ACTOT" at
baseline and weeks 8, 16, 24 with ANL01FL, an ordered 1–7 rating "CIBIC" with AVALC labels and a responder flag
"RESP" (AVAL 1/0, AVALC Y/N) at week 24) and
``adtte`` (PARAMCD "TTDERM", AVAL days from STARTDT, CNSR, EVNTDESC, CNSDTDSC).  Values are random draws with
a dose effect; nothing here is a real trial's result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ARMS = (("Placebo", 0), ("Xanomeline Low Dose", 54), ("Xanomeline High Dose", 81))
VISITS = (("Baseline", 0), ("Week 8", 8), ("Week 16", 16), ("Week 24", 24))
RATING = ("Marked improvement", "Moderate improvement", "Minimal improvement", "No change", "Minimal worsening",
          "Moderate worsening", "Marked worsening")


def adam_trial(n: int = 254, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    arm = rng.integers(0, 3, n)
    names = np.array([a for a, _ in ARMS], dtype=object)
    doses = np.array([d for _, d in ARMS], float)
    ids = np.array([f"01-{701 + i % 17}-{1000 + i}" for i in range(n)], dtype=object)
    site = np.array(["Site A", "Site B", "Site C", "Site D"], dtype=object)[rng.integers(0, 4, n)]
    adsl = pd.DataFrame({"STUDYID": "DEMO-24", "USUBJID": ids, "TRT01P": names[arm], "TRT01PN": doses[arm],
                         "TRT01A": names[arm], "TRT01AN": doses[arm], "SITEGR1": site,
                         "AGE": rng.normal(75, 8, n).round(), "SEX": rng.choice(["F", "M"], n),
                         "ITTFL": "Y", "EFFFL": np.where(rng.random(n) < 0.95, "Y", "N"), "SAFFL": "Y"})
    base = rng.normal(20, 6, n)
    rows = []
    site_effect = pd.Series(site).map({"Site A": 0, "Site B": 1.5, "Site C": -1, "Site D": 0.5}).to_numpy()
    for visit, week in VISITS:
        value = base if week == 0 else base + 0.08 * week - doses[arm] * week / 24 * 0.05 + site_effect \
            + rng.normal(0, 3, n)
        kept = (rng.random(n) > week / 100) | (week == 0)
        rows.append(pd.DataFrame({"USUBJID": ids[kept], "PARAMCD": "ACTOT", "PARAM": "Adas-Cog(11) Subscore",
                                  "AVISIT": visit, "AVISITN": week, "AVAL": value[kept].round(),
                                  "BASE": base[kept].round(), "ABLFL": "Y" if week == 0 else "",
                                  "ANL01FL": "Y"}))
    score = np.clip(np.round(rng.normal(4.2 - doses[arm] / 81 * 0.8, 1.2)), 1, 7).astype(int)
    rows.append(pd.DataFrame({"USUBJID": ids, "PARAMCD": "CIBIC", "PARAM": "CIBIC+ rating", "AVISIT": "Week 24",
                              "AVISITN": 24, "AVAL": score, "AVALC": np.array(RATING, dtype=object)[score - 1],
                              "BASE": np.nan, "ABLFL": "", "ANL01FL": "Y"}))
    responder = rng.random(n) < 0.3 + doses[arm] / 81 * 0.2
    rows.append(pd.DataFrame({"USUBJID": ids, "PARAMCD": "RESP", "PARAM": "Responder (CIBIC+ improved)",
                              "AVISIT": "Week 24", "AVISITN": 24, "AVAL": responder.astype(int),
                              "AVALC": np.where(responder, "Y", "N"), "BASE": np.nan, "ABLFL": "",
                              "ANL01FL": "Y"}))
    adqs = pd.concat(rows, ignore_index=True)
    hazard = 0.004 * np.exp(doses[arm] / 81 * 0.9)
    event_time = rng.exponential(1 / hazard)
    censor_time = rng.uniform(60, 200, n)
    event = event_time <= censor_time
    adtte = pd.DataFrame({"USUBJID": ids, "PARAMCD": "TTDERM", "PARAM": "Time to First Dermatologic Event",
                          "AVAL": np.ceil(np.minimum(event_time, censor_time)), "AVALU": "DAYS",
                          "CNSR": np.where(event, 0, 1),
                          "EVNTDESC": np.where(event, "Dematologic Event Occured", "Study Completion Date"),
                          "CNSDTDSC": np.where(event, "", "Completion or Discontinuation"),
                          "STARTDT": "2014-01-02", "TRTP": names[arm], "TRTA": names[arm]})
    return {"adsl": adsl, "adqs": adqs, "adtte": adtte}
