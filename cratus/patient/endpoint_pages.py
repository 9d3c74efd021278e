"""The adverse-event table and the endpoint dictionary of a patient study, and its figure pages.

Adverse events in the shape of ``data/adverse_events.csv`` with the totals rows (serious treatment-emergent
events where seriousness is recorded); one endpoint row per characteristic and parameter (its kind, role and
the population its page names); one generated figure page per domain or dataset (26 panels at most), the
categorical and binary parameters listed on it with a table instead of a panel.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cratus.patient.characteristics import CDISC_LABELS
from cratus.patient.describe import SOURCE, SUMMARY_COLUMNS, _printed
from cratus.patient.mapping import Dictionary, normalise, slug
from cratus.study.design import TOTAL
from cratus.study.model import ADVERSE_EVENT_TOTALS, FIGURE_COLUMNS, PARTICIPANTS

ENDPOINT_COLUMNS = ["endpoint", "label", "unit", "domain", "page", "figure", "summary", "better", "population",
                    "subgroup", "description"]
AE_COLUMNS = ["soc", "term", "arm", "events", "patients", "events_percent", "patients_percent", "assignment",
              "source", "quote"]
PANELS_PER_PAGE = 26
#: Menu title of the generated figure page of laboratory tests (the Laboratory page has the plain name).
LAB_FIGURE_PAGE_TITLE = "Laboratory by visit"


# --- adverse events ------------------------------------------------------------------------------
def serious_recorded(data) -> bool:
    """Whether the adverse events record seriousness (the table then lists serious events only)."""
    return bool(data.adverse_events["serious"].notna().any())


def _counted_events(data, notes: list) -> pd.DataFrame:
    ae = data.adverse_events
    if ae["treatment_emergent"].notna().any():
        ae = ae[ae["treatment_emergent"] == True]  # noqa: E712
    if serious_recorded(data):
        ae = ae[ae["serious"] == True]  # noqa: E712
        notes.append("adverse-event table: serious treatment-emergent events")
    elif len(ae):
        notes.append("adverse-event table: every treatment-emergent event (seriousness not recorded)")
    return ae


def _adverse_events(data, design, notes: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Term rows in the shape of ``data/adverse_events.csv`` and the totals rows of the summary."""
    if data.adverse_events.empty:
        return pd.DataFrame(columns=AE_COLUMNS), pd.DataFrame(columns=SUMMARY_COLUMNS)
    ae = _counted_events(data, notes)
    n = data.in_population("safety").groupby("arm").size()  # N: the safety population by treatment received
    terms = ae.groupby(["soc", "term", "arm"], sort=True).agg(events=("usubjid", "size"),
                                                              patients=("usubjid", "nunique")).reset_index()
    arm_events = ae.groupby("arm").size()
    # astype(float): with no event left (none treatment-emergent) the empty maps would keep a text dtype
    terms["events_percent"] = 100 * terms["events"].astype(float) / terms["arm"].map(arm_events).astype(float)
    terms["patients_percent"] = 100 * terms["patients"].astype(float) / terms["arm"].map(n).astype(float)
    terms["assignment"], terms["source"], terms["quote"] = "stated", SOURCE, ""
    arms = list(design.arm_ids)
    events = arm_events.reindex(arms, fill_value=0)
    patients = ae.groupby("arm")["usubjid"].nunique().reindex(arms, fill_value=0)
    sizes = n.reindex(arms, fill_value=0)
    rows = []
    for arm, e, p, size in zip(arms + [TOTAL], list(events) + [events.sum()], list(patients) + [patients.sum()],
                               list(sizes) + [sizes.sum()]):
        rows += [("events", arm, "count", e), ("events", arm, "percent", 100.0 if e else 0.0),
                 ("patients", arm, "count", p), ("patients", arm, "percent", 100 * p / size if size else np.nan),
                 ("", arm, "n", size)]
    totals = pd.DataFrame(rows, columns=["level", "arm", "statistic", "value"])
    totals = totals.assign(endpoint=ADVERSE_EVENT_TOTALS, visit=design.visit_ids[-1], source=SOURCE, quote="")
    totals["value"] = totals["value"].astype(float)
    totals["printed"] = [_printed(v, s) for v, s in zip(totals["value"], totals["statistic"])]
    return terms[AE_COLUMNS].reset_index(drop=True), totals[SUMMARY_COLUMNS]


# --- endpoint dictionary and figure pages --------------------------------------------------------
def _endpoint_rows(data, chosen, dictionary: Dictionary, reference, has_ae: bool,
                   same_trial: bool = True) -> pd.DataFrame:
    m = data.measurements
    first = m.drop_duplicates("endpoint")[["endpoint", "label", "unit", "dataset"]]
    labs = set(m.loc[m["anrhi"].notna() | m["anrlo"].notna(), "endpoint"])
    rows = [{"endpoint": PARTICIPANTS, "label": "Participants", "unit": "patients", "domain": "demographics",
             "summary": "n_percent", "description": "Subjects of the analysis population per arm."}]
    labels = data.labels
    for column, endpoint, kind in chosen:
        info = dictionary.info(endpoint) if same_trial else {}
        label = (labels.get(column) or info.get("label") or CDISC_LABELS.get(column)
                 or column.replace("_", " ").capitalize())
        rows.append({**info, "endpoint": endpoint, "label": label,
                     "domain": "demographics", "summary": "mean_sd" if kind == "continuous" else "n_percent",
                     "page": "", "figure": ""})
    kinds = _parameter_info(data)
    for endpoint, label, unit, dataset in first.itertuples(index=False):
        info = dictionary.info(endpoint)
        if not same_trial:  # the data name their parameters (PARAM); the dictionary's wording is another trial's
            info = {k: v for k, v in info.items()
                    if k not in ("label", "unit", "description", "population", "domain", "summary")}
        if info and normalise(info.get("label", "")) != normalise(label):
            info = {**info, "description": ""}  # matched by its code only: the dictionary's wording may not fit
        domain = info.get("domain") or ("laboratory" if endpoint in labs else "")
        kind, role = kinds.get(endpoint, ("continuous", "efficacy"))
        summary = "n_percent" if kind != "continuous" else (info.get("summary") or "mean_sd")
        if role == "primary":
            info = {**info, "description": "The primary endpoint (as chosen on the Data source page)."}
        rows.append({**info, "endpoint": endpoint, "label": label, "unit": unit, "domain": domain, "role": role,
                     "summary": summary, "page": "", "figure": "", "_dataset": dataset, "_kind": kind})
    if has_ae:
        kind = "Serious adverse events" if serious_recorded(data) else "Adverse events"
        rows.append({"endpoint": ADVERSE_EVENT_TOTALS, "label": kind, "domain": "safety", "summary": "n_percent",
                     "description": f"{kind} (treatment-emergent) and patients with one, per arm."})
    frame = pd.DataFrame(rows)
    for column in ENDPOINT_COLUMNS + ["_dataset", "_kind", "role"]:
        frame[column] = frame.get(column, pd.Series("", index=frame.index)).fillna("").astype(str)
    frame = frame.drop_duplicates("endpoint").reset_index(drop=True)
    if reference is not None and same_trial:  # another trial's pages and panels are not these data's
        ref = reference.endpoints.set_index("endpoint")
        for i, endpoint in frame["endpoint"].items():
            if endpoint in ref.index:
                for column in ("page", "figure", *(("label", "unit", "summary") if same_trial else ())):
                    value = ref.at[endpoint, column] if column in ref.columns else ""
                    frame.at[i, column] = "" if pd.isna(value) else str(value)
    return frame


def _with_population(figures: pd.DataFrame, endpoints: pd.DataFrame, data) -> pd.DataFrame:
    """Each figure page's intro names the population (with its N) its endpoints are analysed in."""
    if data.populations is None or figures.empty or "role" not in endpoints:
        return figures
    figures = figures.copy()
    for i, page in figures["figure"].items():
        roles = set(endpoints.loc[endpoints["page"] == page, "role"]) - {""}
        analyses = sorted({"safety" if r == "safety" else "efficacy" for r in roles})
        said = "; ".join(f"{a} population: {data.populations.of(a).description} (N = {data.populations.of(a).n})"
                         for a in analyses)
        if said:
            figures.at[i, "intro"] = f"{figures.at[i, 'intro'].rstrip('.')} — {said}."
    return figures


def _parameter_info(data) -> dict:
    """Endpoint → (kind, role), the role ``primary``, ``efficacy`` or ``safety``."""
    p = data.parameters
    return {e: (k, "primary" if primary else r) for e, k, r, primary in
            zip(p["endpoint"], p["kind"], p["role"], p["primary"])}


def _adam(dataset: str) -> bool:
    """A BDS dataset's name (ADLB, ADVS, ADQSADAS; a long CSV's records are "measurements"): its parameters make
    pages of their own."""
    return bool(dataset) and dataset != "measurements"


def _figure_pages(endpoints: pd.DataFrame, reference) -> pd.DataFrame:
    """Reference pages for matched endpoints; one generated page per domain or dataset for the others."""
    pages = []
    if reference is not None:
        # A reference page is kept only when one of its drawn panels is in the data; endpoints that matched
        # only a p-value-only entry of it (an unrelated trial's WEIGHT) go to the generated pages instead.
        drawn = set(endpoints.loc[endpoints["figure"] != "", "page"]) - {""}
        stray = endpoints["page"].ne("") & ~endpoints["page"].isin(drawn)
        endpoints.loc[stray, ["page", "figure"]] = ""
        # The reference's intro describes the paper's numbers ("as printed in the paper"): not these.
        pages += [{**r, "intro": "Computed here from patient-level data: summaries per arm at each visit."}
                  for r in reference.figures.to_dict("records") if str(r["figure"]) in drawn]
    taken = {str(p["figure"]) for p in pages} | {str(p.get("url_path", "")) for p in pages}
    measured = endpoints[(endpoints["_dataset"] != "") & (endpoints["page"] == "")]
    # one group per domain, else per dataset; a dataset's parameters without a reference range join its
    # laboratory pages (ADLB's urinalysis flags) rather than making a second page of the same dataset
    # (an ADaM dataset is a group of its own: ADVS's analysis ranges do not make vital signs laboratory tests)
    lab_sets = set(measured.loc[measured["domain"] == "laboratory", "_dataset"])
    groups = measured.assign(_g=[s if _adam(s) else d or ("laboratory" if s in lab_sets else s)
                                 for d, s in zip(measured["domain"], measured["_dataset"])])
    for group, members in groups.groupby("_g", sort=False):
        parts = -(-len(members) // PANELS_PER_PAGE)
        for chunk in range(0, len(members), PANELS_PER_PAGE):
            part = members.iloc[chunk:chunk + PANELS_PER_PAGE]
            number = chunk // PANELS_PER_PAGE + 1
            page = slug(group) + (f"_{number}" if parts > 1 else "")
            while page in taken or f"patient_{page}" in taken:
                page += "_x"
            taken.add(page)
            title = group.replace("_", " ").capitalize() if group.islower() else group
            if slug(group) == "laboratory":
                title = LAB_FIGURE_PAGE_TITLE
            else:
                title = f"{title} by visit"
            # a short name per page, told apart in the side menu's width (a long one is cut at ~28 characters)
            nav = title + (f" ({number}/{parts})" if parts > 1 else "")
            pages.append({"figure": page, "nav_title": nav,
                          "title": f"{title}: parameters {chunk + 1}–{chunk + len(part)} of {len(members)}"
                          if parts > 1 else title,
                          "url_path": f"patient_{page}", "icon": "show_chart",
                          "intro": "Computed from patient-level data: summaries per arm at each visit."})
            drawn = [i for i in part.index if endpoints.at[i, "_kind"] in ("", "continuous")]
            for letter, index in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", drawn):
                endpoints.at[index, "page"], endpoints.at[index, "figure"] = page, letter
            for index in part.index.difference(drawn):  # counted, not drawn: listed on the page with a table
                endpoints.at[index, "page"] = page
    return pd.DataFrame(pages, columns=FIGURE_COLUMNS).fillna("")


