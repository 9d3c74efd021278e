"""Which data this session shows: the published study, the synthetic patient-level demo, or uploaded files.

Uploaded files are read in memory (never written to disk, never logged) and the
study built from them lives in this browser session only (``st.session_state``):
no other session can see it.  The mapping choices, never the data, are kept in
the address (``?m_arm_variable=TRT01P``) so a link tells a colleague how the
data were read, and so is the kind of source (``?source=synthetic`` or
``?source=upload``): a link to the synthetic demo reopens it in a fresh session;
a link to uploaded files asks its recipient to upload the same files.
"""

from __future__ import annotations

import streamlit as st

from dataclasses import replace

from cratus.outputs.code import Recipe
from cratus.patient import Mapping, read_patient_data, to_study, worker
from cratus.patient.synthetic import synthetic_files
from cratus.study.model import Origin
from ui import keys, session
from ui.navigation import drop_uploaded_files
from ui.session import default_study, study

MAPPING_PREFIX = "m_"
#: The address parameter naming the kind of data a view was made from (``synthetic`` or ``upload``).
SOURCE_PARAM = "source"
SYNTHETIC_SEED = 1
SYNTHETIC_ORIGIN = Origin("Synthetic demo data (made up, shaped like the published trial)", synthetic=True)


def _linked() -> dict:
    """The parameters of the link this session was opened with (name → list of values), until it opens data of
    its own (moving to the Data source page to upload may drop the address's parameters)."""
    return st.session_state.get(keys.LINKED, {}) if session.source() is None else {}


def linked_source() -> str | None:
    """``"upload"`` when this session was opened by a link to a view of uploaded files and has no data yet."""
    linked = _linked().get(SOURCE_PARAM) or [None]
    return "upload" if "upload" in (st.query_params.get(SOURCE_PARAM), linked[0]) else None


def _linked_arms(built) -> None:
    """The arms of the link this session was opened with, once the files it was made from are uploaded."""
    names = _linked().get(keys.ARMS) or []
    chosen = [a for a in built.design.arm_ids if built.design.short(a) in names]
    if chosen:
        st.session_state[keys.SHARED_ARMS] = chosen


def mapping_from_url() -> Mapping:
    """The mapping choices carried by the address (``m_<field>=...``), else by the link the session was opened
    with; unknown keys are ignored."""
    known = set(Mapping().to_dict())
    params = {k: st.query_params.get(k) for k in st.query_params}
    if not any(k.startswith(MAPPING_PREFIX) for k in params):
        params = {k: v[-1] for k, v in _linked().items() if v}
    values = {k[len(MAPPING_PREFIX):]: v for k, v in params.items()
              if k.startswith(MAPPING_PREFIX) and k[len(MAPPING_PREFIX):] in known}
    try:
        return Mapping.from_dict(values)
    except ValueError:
        return Mapping()


def mapping_to_url(mapping: Mapping) -> None:
    for field, value in mapping.to_dict().items():
        key = MAPPING_PREFIX + field
        if value:
            st.query_params[key] = value
        elif key in st.query_params:
            del st.query_params[key]


@st.cache_resource(max_entries=2, show_spinner=False)
def _synthetic(seed: int, mapping_items: tuple):
    """The synthetic demo's files are the same for everyone: read and summarised once per process."""
    files = synthetic_files("adam", seed=seed)
    data = read_patient_data(*files.values(), names=list(files), mapping=Mapping.from_dict(dict(mapping_items)))
    return replace(to_study(data, reference=default_study()), origin=SYNTHETIC_ORIGIN,
                   recipe=Recipe(synthetic_seed=seed, mapping=dict(mapping_items)))


def _fallback(error: ValueError, mapping: Mapping) -> Mapping:
    """A mapping that does not fit the data (a shared link naming a column they lack) gives way to the default
    mapping, and the reader is told why; the default's own errors are the data's."""
    if mapping == Mapping():
        raise error
    st.session_state[keys.MAPPING_WARNING] = (f"The mapping in the address could not be applied ({error}); the "
                                              "data are shown with the default mapping.")
    mapping_to_url(Mapping())
    return Mapping()


def open_synthetic(mapping: Mapping) -> None:
    st.session_state.pop(keys.MAPPING_WARNING, None)
    try:
        built = _synthetic(SYNTHETIC_SEED, tuple(sorted(mapping.to_dict().items())))
    except ValueError as error:
        built = _synthetic(SYNTHETIC_SEED, tuple(sorted(_fallback(error, mapping).to_dict().items())))
    session.show(built, "synthetic")


def uploader_key() -> str:
    """The key of the Data source page's file uploader: a new one after files were read, so that it is drawn
    empty and the uploaded bytes are no longer held (see :func:`open_uploads`)."""
    return f"uploads_{st.session_state.get(keys.UPLOAD_ROUND, 0)}"


def open_uploads(files, mapping: Mapping) -> str | None:
    """Read uploaded files (objects with ``name`` and ``getvalue()``, or ``(name, bytes)`` pairs) into this
    session's study; returns the error message, or None when it worked.

    The files are checked against the upload limits before they are parsed, and a large upload is read in a
    worker process with a progress indicator (:mod:`cratus.patient.worker`).  Once read, the bytes are not kept
    (a shared server's memory): Streamlit's copy is dropped and the uploader drawn anew.
    """
    pairs = [(f.name, f.getvalue()) if hasattr(f, "getvalue") else tuple(f) for f in files]
    st.session_state.pop(keys.SOURCE_NOTICE, None)
    st.session_state.pop(keys.MAPPING_WARNING, None)
    progress = _Progress()
    try:
        try:
            built = worker.read_study(pairs, mapping, default_study(), progress=progress)
        except ValueError as error:
            if mapping == Mapping() or session.source() == "upload":  # a choice made on the page: say why not
                raise
            mapping = _fallback(error, mapping)  # a link's mapping that does not fit these files
            built = worker.read_study(pairs, mapping, default_study(), progress=progress)
    except ValueError as error:
        progress.finish("The files could not be read", "error")
        st.session_state[keys.SOURCE_ERROR] = str(error)
        return str(error)
    progress.finish("Files read", "complete")
    names = tuple(n for n, _ in pairs)
    del pairs
    _release(files)
    st.session_state.pop(keys.SOURCE_ERROR, None)
    st.session_state[keys.UPLOADED_FILES] = names
    built = replace(built, origin=Origin("Uploaded: " + ", ".join(names)),
                    recipe=Recipe(files=names, mapping=mapping.to_dict()))
    _linked_arms(built)
    session.show(built, "upload")
    return None


def limits_sentence() -> str:
    """The upload limits in force, in a sentence for the Data source page (:mod:`cratus.patient.limits`)."""
    from cratus.patient.limits import Limits

    limits = Limits.from_environment()
    return (f"This server is shared: one upload may hold up to {limits.cells / 1e6:,.1f} million cells (rows × "
            f"columns, all files together), {limits.excel_cells / 1e6:,.1f} million in Excel files.")


class _Progress:
    """A progress indicator drawn at the reader's first word (small uploads, read at once, draw none), marked
    finished when the reading ends so that no spinner is left turning."""

    def __init__(self):
        self.status = None

    def __call__(self, text: str) -> None:
        if self.status is None:
            self.status = st.status(text, expanded=False)
        self.status.update(label=text)

    def finish(self, text: str, state: str) -> None:
        if self.status is not None:
            self.status.update(label=text, state=state)


def _release(files) -> None:
    """Drop the uploaded bytes once read: from Streamlit's upload storage, and from the uploader (a new key)."""
    drop_uploaded_files(files)
    st.session_state[keys.UPLOAD_ROUND] = st.session_state.get(keys.UPLOAD_ROUND, 0) + 1


def error() -> str | None:
    """Why this session's uploaded files could not be read (None when they could, or none were uploaded)."""
    return st.session_state.get(keys.SOURCE_ERROR)


def reapply(mapping: Mapping) -> str | None:
    """Read this session's patient-level data again with another mapping (kept in the address).  Uploaded files
    are not kept once read: the visitor is asked to upload them again, and the address's mapping is then used."""
    mapping_to_url(mapping)
    if session.source() == "synthetic":
        open_synthetic(mapping)
        return None
    st.session_state[keys.SOURCE_NOTICE] = ("Upload the files again to read them with this mapping: uploaded "
                                            "files are not kept after reading, to spare the shared server's memory.")
    return None


def notice() -> str | None:
    """What the visitor is asked to do next on the Data source page (None: nothing)."""
    return st.session_state.get(keys.SOURCE_NOTICE)


def fidelity_against_published(current):
    """The synthetic study's summaries against the published ones (:func:`cratus.patient.synthetic.fidelity_table`)."""
    from cratus.patient.synthetic import fidelity_table

    return fidelity_table(current, default_study())


def follow_link() -> None:
    """At a session's first run, ``?source=synthetic`` opens the synthetic demo (with the address's mapping)."""
    state = st.session_state
    if keys.LINKED in state:
        return
    state[keys.LINKED] = {k: st.query_params.get_all(k) for k in st.query_params}
    if st.query_params.get(SOURCE_PARAM) == "synthetic" and session.source() is None:
        open_synthetic(mapping_from_url())


def source_to_url(current) -> None:
    """Keep the kind of data and the mapping of this session's patient-level study in the address (never the data);
    a mapping chosen for files still to be uploaded again stays in the address until they are read."""
    recipe = current.recipe
    if recipe is None or st.session_state.get(keys.SOURCE_NOTICE):
        return
    kind = "synthetic" if recipe.synthetic else "upload"
    if st.query_params.get(SOURCE_PARAM) != kind:
        st.query_params[SOURCE_PARAM] = kind
    mapping_to_url(Mapping.from_dict(recipe.mapping))


def open_published() -> None:
    st.session_state.pop(keys.SOURCE_ERROR, None)
    st.query_params.pop(SOURCE_PARAM, None)
    st.session_state.pop(keys.UPLOADED_FILES, None)
    for key in [k for k in st.query_params if k.startswith(MAPPING_PREFIX)]:
        del st.query_params[key]
    session.show(None, "published")


def banner() -> None:
    """Every page of a patient-level study says where its numbers come from; synthetic data say so loudly."""
    current = study()
    source_to_url(current)
    if not current.has_patients and linked_source():
        st.info("**This view was made from uploaded files.** Upload the same files on the *Data source* page to see "
                "it: the link carries the view and how the files were read, never the data.",
                icon=":material/upload_file:")
    if current.synthetic:
        st.warning("**Synthetic data — not trial data.** Every number on this page is computed from made-up "
                   "patients shaped like the published summaries.", icon=":material/science:")
        st.caption(analysis_choices(current.patients))
    elif current.has_patients:
        st.info(f"**{current.origin.label or 'Patient-level data'}** · computed here from patients · "
                + analysis_choices(current.patients), icon=":material/dataset:")
    if warning := st.session_state.get(keys.MAPPING_WARNING):
        st.warning(warning, icon=":material/link_off:")


def analysis_choices(data) -> str:
    """The populations and the records the analyses use, in words (every page of patient data says them)."""
    populations = data.populations.sentence() if data.populations is not None else (data.population or "all")
    records = f" · analysis records: {data.records}" if data.records else ""
    return f"populations: {populations}{records}"
