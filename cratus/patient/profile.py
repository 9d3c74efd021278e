"""One participant of patient-level data: characteristics, every endpoint against their arm, adverse events.

These are one patient's values, shown to follow a story (a laboratory value out of range, an adverse event),
not evidence about the treatment.  Every function takes the study first (a study built by
:func:`cratus.patient.to_study`, arms and visits as ids) so pages can cache the calls; an unknown subject id
raises :class:`ValueError` saying so.

* :func:`subjects_list` — every participant, for a chooser; :func:`subject_arm` — the arm of one;
* :func:`subject_characteristics` — their baseline characteristics with display labels;
* :func:`subject_endpoints` — every endpoint at every visit: their value and their arm's median;
* :func:`subject_events` — their adverse events with study days;
* :func:`subject_event_table` — the same as a table to read;
* :func:`serious_event_listing` — the serious adverse events of all participants (the Safety page's listing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cratus.patient.stats import patient_data
from cratus.patient.summarize import characteristic_columns
from cratus.study.model import Study

EVENT_COLUMNS = ["term", "soc", "start_day", "end_day", "serious", "severity", "related", "treatment_emergent",
                 "ongoing"]
ENDPOINT_COLUMNS = ["endpoint", "label", "unit", "visit", "visit_label", "visit_order", "value", "arm_median",
                    "arm_n", "anrlo", "anrhi"]
NOT_RECORDED = "not recorded"


def number_text(value) -> str:
    """A measured value as text: whole numbers as such, else 2 decimals below 10, 1 below 1000, none above.

    Examples
    --------
    >>> [number_text(v) for v in (76.3462, 4.0, 0.6078, 9292.4, float("nan"))]
    ['76.3', '4', '0.61', '9,292', 'not recorded']
    """
    if value is None or pd.isna(value):
        return NOT_RECORDED
    value = float(value)
    if value.is_integer():
        return f"{value:,.0f}"
    size = abs(value)
    return f"{value:,.{0 if size >= 1000 else 1 if size >= 10 else 2}f}"


def _subject(study: Study, usubjid) -> pd.Series:
    """The subject's row of ``subjects``; :class:`ValueError` when the id is not in the data."""
    data = patient_data(study)
    wanted = str(usubjid).strip()
    rows = data.subjects[data.subjects["usubjid"].astype(str) == wanted]
    if rows.empty:
        raise ValueError(f"participant {wanted!r} is not among the {len(data.subjects)} participants of these "
                         "data (check the subject id)")
    return rows.iloc[0]


def subject_arm(study: Study, usubjid) -> str:
    """The participant's arm (the design's id); :class:`ValueError` when the id is not in the data."""
    return str(_subject(study, usubjid)["arm"])


def subjects_list(study: Study) -> pd.DataFrame:
    """Every participant, in the data's order: ``usubjid, arm, arm_label`` (+ ``sex, age`` when recorded), ``label``.

    ``label`` is what a chooser shows: "SYN-001 · Allo-hMSC 100M · Male · 76 years".

    Examples
    --------
    >>> from cratus.patient import read_patient_data, to_study
    >>> subjects = b"usubjid,arm,sex,age\\n1,Drug,F,70.4\\n2,Placebo,M,72\\n"
    >>> values = b"usubjid,visit,endpoint,value\\n1,Day 1,score,3\\n2,Day 1,score,4\\n"
    >>> study = to_study(read_patient_data(subjects, values, names=["subjects.csv", "measurements.csv"]))
    >>> subjects_list(study)["label"].tolist()
    ['1 · Drug · F · 70 years', '2 · Placebo · M · 72 years']
    """
    subjects = patient_data(study).subjects
    design = study.design
    out = pd.DataFrame({"usubjid": subjects["usubjid"].astype(str), "arm": subjects["arm"],
                        "arm_label": subjects["arm"].map({a: design.label(a) for a in design.arm_ids})})
    label = out["usubjid"] + " · " + out["arm_label"].astype(str)
    if "sex" in subjects:
        out["sex"] = subjects["sex"]
        label += (" · " + subjects["sex"].astype("string")).fillna("")
    if "age" in subjects and pd.api.types.is_numeric_dtype(subjects["age"]):
        out["age"] = subjects["age"]
        label += (" · " + subjects["age"].round().astype("Int64").astype("string") + " years").fillna("")
    out["label"] = label.astype(str)
    return out.reset_index(drop=True)


def _characteristic_label(study: Study, column: str, endpoint: str) -> str:
    label = study.label(endpoint)
    if label != endpoint:
        return label
    labels = patient_data(study).labels
    return labels.get(column) or column.replace("_", " ").capitalize()


def subject_characteristics(study: Study, usubjid) -> pd.DataFrame:
    """The participant's arm and baseline characteristics: ``characteristic, value`` (display text).

    The characteristics are the subject columns the baseline table summarises, with its labels; a
    numeric value carries the unit of the study's dictionary ("76.3 years").

    Raises
    ------
    ValueError
        When *usubjid* is not a participant of the data.
    """
    row = _subject(study, usubjid)
    data = patient_data(study)
    records = [("Participant", str(row["usubjid"])), ("Arm", study.design.label(row["arm"]))]
    for column, endpoint, kind in characteristic_columns(data.subjects):
        value = row[column]
        if pd.isna(value):
            text = NOT_RECORDED
        elif kind == "continuous":
            unit = study.endpoint_info(endpoint).get("unit", "")
            text = number_text(value) + (f" {unit}" if unit and unit != "patients" else "")
        else:
            text = number_text(value) if isinstance(value, (int, float, np.number)) else str(value)
        records.append((_characteristic_label(study, column, endpoint), text))
    return pd.DataFrame(records, columns=["characteristic", "value"])


def subject_endpoints(study: Study, usubjid) -> pd.DataFrame:
    """Every endpoint of the data at every visit: the participant's value and their arm's median.

    One row per endpoint and visit at which the participant's arm has a value (the participant's own
    ``value`` is missing where they have none), endpoints in the study's order, visits in the design's.
    ``arm_median`` is the median of the arm's values at that visit (the participant included), ``arm_n``
    how many values it is the median of; ``anrlo, anrhi`` the participant's reference range, when the
    data give one.

    Raises
    ------
    ValueError
        When *usubjid* is not a participant of the data.
    """
    row = _subject(study, usubjid)
    m = patient_data(study).measurements
    arm_rows = m[m["arm"] == row["arm"]]
    grouped = arm_rows.groupby(["endpoint", "visit"], observed=True)["value"]
    out = pd.DataFrame({"arm_median": grouped.median(), "arm_n": grouped.count()}).reset_index()
    out = out[out["arm_n"] > 0]
    own = arm_rows[arm_rows["usubjid"] == str(row["usubjid"])]
    own = own.groupby(["endpoint", "visit"], observed=True)[["value", "anrlo", "anrhi"]].first().reset_index()
    out = out.merge(own, on=["endpoint", "visit"], how="left")
    out["endpoint"], out["visit"] = out["endpoint"].astype(str), out["visit"].astype(str)
    design = study.design
    order = {e: i for i, e in enumerate(study.endpoints["endpoint"])}
    visit_order = {v: i for i, v in enumerate(design.visit_ids)}
    out["visit_order"] = out["visit"].map(visit_order).astype(float)
    out = out.assign(_e=out["endpoint"].map(lambda e: order.get(e, len(order)))).sort_values(
        ["_e", "endpoint", "visit_order"]).drop(columns="_e")
    first = arm_rows.groupby("endpoint", observed=True)[["label", "unit"]].first()
    first.index = first.index.astype(str)
    known = study.endpoints.drop_duplicates("endpoint").set_index("endpoint")
    shown = out["endpoint"].unique()
    labels = {e: (known.at[e, "label"] if e in known.index and known.at[e, "label"] else first.at[e, "label"])
              for e in shown}
    units = {e: (known.at[e, "unit"] if e in known.index and known.at[e, "unit"] else first.at[e, "unit"]) or ""
             for e in shown}
    out["label"], out["unit"] = out["endpoint"].map(labels).astype(str), out["endpoint"].map(units).astype(str)
    out["visit_label"] = out["visit"].map(design.visit_label)
    return out[ENDPOINT_COLUMNS].reset_index(drop=True)


def subject_events(study: Study, usubjid) -> pd.DataFrame:
    """The participant's adverse events by start day: ``term, soc, start_day, end_day, serious, severity,
    related, treatment_emergent, ongoing``.

    ``ongoing`` is an event with a start day and no end day, when the data record end days at all.

    Raises
    ------
    ValueError
        When *usubjid* is not a participant of the data.
    """
    row = _subject(study, usubjid)
    ae = patient_data(study).adverse_events
    mine = ae[ae["usubjid"].astype(str) == str(row["usubjid"])].copy()
    records_end = ae["end_day"].notna().any()
    mine["ongoing"] = mine["end_day"].isna() & mine["start_day"].notna() & records_end
    mine["term"] = mine["term"].astype(str)
    return mine.sort_values(["start_day", "term"], na_position="last")[EVENT_COLUMNS].reset_index(drop=True)


def last_study_day(study: Study) -> float:
    """The last study day recorded in the adverse events (start or end; NaN when none): where "ongoing" stops."""
    ae = patient_data(study).adverse_events
    days = pd.concat([ae["start_day"], ae["end_day"]]).dropna()
    return float(days.max()) if len(days) else float("nan")


def _yes_no(value) -> str:
    if value is None or pd.isna(value):
        return NOT_RECORDED
    return "yes" if bool(value) else "no"


def study_days(start, end, ongoing: bool) -> str:
    """Days of an event as text: "166–178", "from 246, ongoing", "246" (a one-day event).

    Examples
    --------
    >>> study_days(166.0, 178.0, False), study_days(246.0, float("nan"), True), study_days(5.0, 5.0, False)
    ('166–178', 'from 246, ongoing', '5')
    """
    if pd.isna(start):
        return NOT_RECORDED if pd.isna(end) else f"until {end:g}"
    if ongoing:
        return f"from {start:g}, ongoing"
    if pd.isna(end):
        return f"from {start:g}"
    return f"{start:g}" if end == start else f"{start:g}–{end:g}"


def _event_columns(ae: pd.DataFrame, ongoing: pd.Series) -> dict:
    """The display columns shared by the listing and a participant's table."""
    return {
        "Event": ae["term"].astype(str).to_numpy(),
        "Study days": [study_days(s, e, o) for s, e, o in zip(ae["start_day"], ae["end_day"], ongoing)],
        "Severity": [NOT_RECORDED if pd.isna(s) else str(s).capitalize() for s in ae["severity"]],
        "Related": [_yes_no(r) for r in ae["related"]],
    }


def serious_event_listing(study: Study, arms=None) -> pd.DataFrame:
    """Serious adverse events, one row per event, by participant: ``Participant, Arm, Event, Study days,
    Severity, Related``.

    Rows follow the design's arm order, then participant and start day.  Empty when the data do not
    record seriousness.
    """
    data = patient_data(study)
    design = study.design
    keep = design.order(arms if arms is not None else design.arm_ids)
    ae = data.adverse_events
    ae = ae[(ae["serious"] == True) & ae["arm"].isin(keep)].copy()  # noqa: E712 (object column of booleans)
    ae["_arm"] = ae["arm"].map({a: i for i, a in enumerate(keep)})
    ae = ae.assign(usubjid=ae["usubjid"].astype(str)).sort_values(["_arm", "usubjid", "start_day"])
    records_end = data.adverse_events["end_day"].notna().any()
    ongoing = ae["end_day"].isna() & ae["start_day"].notna() & records_end
    return pd.DataFrame({"Participant": ae["usubjid"].to_numpy(), "Arm": [design.label(a) for a in ae["arm"]],
                         **_event_columns(ae, ongoing)},
                        columns=["Participant", "Arm", "Event", "Study days", "Severity", "Related"])


def subject_event_table(study: Study, usubjid) -> pd.DataFrame:
    """The participant's adverse events as a table: ``Event, System organ class, Study days, Severity, Serious,
    Related, Treatment-emergent``.

    Raises
    ------
    ValueError
        When *usubjid* is not a participant of the data.
    """
    events = subject_events(study, usubjid)
    columns = _event_columns(events, events["ongoing"])
    return pd.DataFrame({"Event": columns["Event"], "System organ class": events["soc"].astype(str).to_numpy(),
                         "Study days": columns["Study days"], "Severity": columns["Severity"],
                         "Serious": [_yes_no(v) for v in events["serious"]], "Related": columns["Related"],
                         "Treatment-emergent": [_yes_no(v) for v in events["treatment_emergent"]]})
