import os, sys
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
if len(sys.argv) > 1 and sys.argv[1].startswith("study="):
    os.environ["CRATUS_STUDY_DIR"] = sys.argv.pop(1)[6:]
for page in sys.argv[1:]:
    at = AppTest.from_file("app.py", default_timeout=60).run()
    if page.startswith("/"):
        at._page_hash = calc_hash(page[1:]); at.run()
    elif page != "pages/overview.py":
        at.switch_page(page).run()
    print(page, "exceptions:", [e.message[:400] for e in at.exception], "titles:", [t.value for t in at.title][:2], "tables:", len(at.dataframe))
