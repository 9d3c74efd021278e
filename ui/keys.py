"""Every key the app keeps in a session's ``st.session_state``, each named once.

Widgets' own keys (``key="lab_test"``) stay beside their widget unless another
module reads them; the keys below are the session's memory between runs and
pages.  The values are part of what tests read, so they do not change.
"""

# --- which study the session shows (ui.session) -------------------------------------------------
#: The study this session opened (unfiltered); absent: the server's study.
STUDY = "study"
#: The kind of data the session opened: ``"published"``, ``"synthetic"`` or ``"upload"``.
SOURCE = "data_source_name"
#: The message of uploaded files that could not be read.
SOURCE_ERROR = "data_source_error"
#: Why a link's mapping could not be applied (the data were opened with the default mapping instead).
MAPPING_WARNING = "data_source_mapping_warning"
#: The address the session was opened with (a shared link), kept until it opens data of its own.
LINKED = "data_source_link"
#: The uploaded files' names (their bytes are not kept once read: ui.data_source.open_uploads).
UPLOADED_FILES = "uploaded_files"
#: How many times files were read in this session: the uploader's key changes with it (drawn anew, empty).
UPLOAD_ROUND = "upload_round"
#: What the Data source page asks the visitor to do next (upload again to apply another mapping).
SOURCE_NOTICE = "data_source_notice"
#: The subgroup filter in force (address pairs ``(f_<variable>, value)``), kept across page switches.
SHARED_FILTERS = "shared_filters"
#: The one switch that shows p-values in a filtered view (bound to the address's ``p_values``).
P_VALUES = "p_values"
#: Values computed from this session's patients (filtered studies, the patients as read), kept per session.
SESSION_MEMO = "_session_memo"
#: Prefix of the filter panel's widgets (one per variable).
FILTER_WIDGET_PREFIX = "filter_"

# --- the sidebar's controls (ui.controls) ---------------------------------------------------------
#: The arm selector's widget (bound to the address's ``arms``).
ARMS = "arms"
#: The arms selected, kept across page switches (a widget's own state is dropped when its page is left).
SHARED_ARMS = "shared_arms"
#: Whether presentation mode is on.
PRESENTING = "present"
#: The presentation-mode switch's widget, and the reader's request when they flip it.
PRESENT_TOGGLE = "present_toggle"
PRESENT_REQUEST = "present_request"
#: The page on which a phone was told that presentation mode is for a projector.
PRESENT_ON_PHONE = "_present_on_phone"

# --- the page being rendered (ui.render, ui.state) ------------------------------------------------
#: The page's HTML report (:class:`cratus.outputs.report.Report`).
REPORT = "report"
#: The code snippets of the page (``{"code", "call", "title"}`` dicts).
CODE_SNIPPETS = "code_snippets"
#: "Zoom with a finger" on a phone.
TOUCH_ZOOM = "touch_zoom"
#: The image format of a figure's camera button.
IMAGE_FORMAT = "image_format"

# --- navigation (ui.navigation) and the first page (ui.fold) --------------------------------------
CURRENT_PAGE = "_current_page"
PAGES = "_pages"
CAME_FROM = "_came_from"
LEGACY_RUN = "_legacy_first_run"
FIRST_PAGE_DRAWN = "_first_page_drawn"

# --- the deck (ui.deck) ------------------------------------------------------------------------------
DECK_SLIDE = "deck_slide"
DECK_SKIP = "deck_skip"
DECK_LEAVE = "deck_leave"
