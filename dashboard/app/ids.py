"""Component ids of the dashboard, as constants (one place to rename, no typos in callbacks)."""

# ---------------------------------------------------------------- app shell (every page)
SESSION_REGION = "session-region"  # dcc.Store: which region this browser session looks at
SESSION_RUNS = "session-runs"  # dcc.Store: this session's scenario runs
REGION_BADGE = "region-badge"
NAV = "nav"

# ---------------------------------------------------------------- equity map
EQ_MEASURE = "eq-measure"
EQ_SCHEME = "eq-scheme"
EQ_CLASSES = "eq-classes"
EQ_PALETTE = "eq-palette"
EQ_LAYERS = "eq-layers"
EQ_MAP = "eq-map"
EQ_SHOWN = "eq-shown"  # dcc.Store: region whose outlines the map on screen holds
EQ_LEGEND = "eq-legend"
EQ_CARDS = "eq-cards"
EQ_DIST = "eq-dist"
EQ_DIST_KIND = "eq-dist-kind"
EQ_CSV_BTN = "eq-csv-btn"
EQ_HTML_BTN = "eq-html-btn"
EQ_DOWNLOAD = "eq-download"
EQ_ERROR = "eq-error"
EQ_BODY = "eq-body"  # cards, map and charts: hidden while they show another region
EQ_PRERENDERED = "eq-prerendered"  # dcc.Store: the region the page came with (or None)

# ---------------------------------------------------------------- plan
PL_SCENARIO = "pl-scenario"
PL_SCENARIO_NOTE = "pl-scenario-note"
PL_OBJECTIVE = "pl-objective"
PL_PERIOD = "pl-period"
PL_EQUITY_WEIGHT = "pl-equity-weight"
PL_BUDGET = "pl-budget"
PL_MAX_DIST = "pl-max-dist"
PL_SITES_OFF = "pl-sites-off"
PL_YIELD_KIND = "pl-yield-kind"
PL_YIELD_PCT = "pl-yield-pct"
PL_SURGE_AREAS = "pl-surge-areas"
PL_SURGE_PCT = "pl-surge-pct"
PL_LABEL = "pl-label"
PL_RUN = "pl-run"
PL_STATUS = "pl-status"
PL_KPIS = "pl-kpis"
PL_FLOWS_MAP = "pl-flows-map"
PL_FULFIL_MAP = "pl-fulfil-map"
PL_FULFIL_HIST = "pl-fulfil-hist"
PL_UNMET = "pl-unmet"
PL_BINDING = "pl-binding"
PL_DL_FLOWS = "pl-dl-flows"
PL_DL_FULFIL = "pl-dl-fulfil"
PL_DL_MANIFEST = "pl-dl-manifest"
PL_DL_REPORT = "pl-dl-report"
PL_DOWNLOAD = "pl-download"
# plans over weeks: the controls, the week shown, its KPIs and the chart by week
PL_WEEKS = "pl-weeks"
PL_MAX_TRANSFER = "pl-max-transfer"
PL_OUTAGE_WEEKS = "pl-outage-weeks"
PL_WEEK = "pl-week"
PL_WEEK_BOX = "pl-week-box"
PL_WEEK_KPIS = "pl-week-kpis"
PL_WEEKS_CHART = "pl-weeks-chart"

# ---------------------------------------------------------------- compare
CMP_RUNS = "cmp-runs"
CMP_BASE = "cmp-base"
CMP_KPI_TABLE = "cmp-kpi-table"
CMP_KPI_FIG = "cmp-kpi-fig"
CMP_GAINS_MAP = "cmp-gains-map"
CMP_GAINS_HIST = "cmp-gains-hist"
CMP_GAINS_TEXT = "cmp-gains-text"
CMP_CURVE_BTN = "cmp-curve-btn"
CMP_CURVE = "cmp-curve"
CMP_CURVE_TEXT = "cmp-curve-text"
CMP_CLEAR = "cmp-clear"

# ---------------------------------------------------------------- data
DATA_UPLOAD = "data-upload"
DATA_FOLDER = "data-folder"
DATA_FOLDER_BTN = "data-folder-btn"
DATA_CANDIDATE = "data-candidate"  # dcc.Store: the region just checked, not yet switched to
DATA_PROBLEMS = "data-problems"
DATA_SWITCH = "data-switch"
DATA_RESET = "data-reset"
DATA_CURRENT = "data-current"
DATA_STATUS = "data-status"

# ---------------------------------------------------------------- sweep (a finished sweep folder)
SW_CHOICE = "sw-choice"  # dropdown: sweep folders found under Settings.sweeps_dir
SW_FOLDER = "sw-folder"  # text input: any folder on the server (only when allow_folders)
SW_OPEN = "sw-open"
SW_PATH = "sw-path"  # dcc.Store: the folder shown
SW_THRESHOLD = "sw-threshold"
SW_KPI = "sw-kpi"
SW_STATUS = "sw-status"
SW_CARDS = "sw-cards"
SW_FRONTIER = "sw-frontier"
SW_RESILIENCE = "sw-resilience"
SW_DIST = "sw-dist"
SW_RISK = "sw-risk"
