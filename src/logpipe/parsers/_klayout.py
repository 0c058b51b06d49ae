"""What the byte kernels write: row and pair table layouts, value kinds and codes (constants).

The scan kernel (``_kscan``) describes every line by numbers only: byte spans into the
batch's data buffer and small codes. ``R`` (int32, one column per row) holds the row
fields below, ``T`` (int64) the instants and elapsed seconds, ``P`` (int32, one row per
pair) the key/value pairs of all rows. Spans are absolute positions in the data buffer
(``K_EXTRA`` spans: positions in a side buffer of texts made in Python: error messages,
reference rows).
"""

from __future__ import annotations

from typing import Final

from logpipe.parsers._schema import FORMATS

# --- Value kinds: how the bytes of a span become the column's text.
K_NULL: Final = 0  # null
K_RAW: Final = 1  # the bytes as they are
K_GO: Final = 2  # a Go %q body (no quotes) to unescape
K_JSON: Final = 3  # a JSON string body (no quotes) to unescape
K_EXTRA: Final = 4  # bytes of the side buffer

# --- Codes. Formats index FORMATS; FALLBACK rows are parsed by the reference.
F_TEXT: Final = FORMATS.index("logrus_text")
F_TTY: Final = FORMATS.index("logrus_tty")
F_JSON: Final = FORMATS.index("logrus_json")
F_PREFIXED: Final = FORMATS.index("prefixed")
F_LOGFMT: Final = FORMATS.index("logfmt")
F_PLAIN: Final = FORMATS.index("plain")
FALLBACK: Final = -1
#: Normalized level names; a level code indexes this tuple (-1: none).
LEVELS: Final = ("trace", "debug", "info", "warning", "error", "fatal", "panic")
#: ``parse_error`` of plain lines by code (1-based; 0: none), kept in the side buffer.
PLAIN_ERRORS: Final = (
    "invalid UTF-8 (replacement characters)",
    "only ANSI escape codes",
    "control characters (binary data?)",
)

# --- Row fields (rows of R). A text field is three rows: start, end, kind.
R_FMT: Final = 0
R_LEVEL: Final = 1
R_LAUNCH: Final = 2  # the launcher text (kind K_NULL when there is none)
R_MSG: Final = 5
R_FUNC: Final = 8
R_FILE: Final = 11
R_PFX: Final = 14
R_ERR: Final = 17
#: Every text field, in the order of ``TEXT_COLUMNS``.
TEXT_FIELDS: Final = (R_MSG, R_FUNC, R_FILE, R_PFX, R_LAUNCH, R_ERR)
TEXT_COLUMNS: Final = ("msg", "caller_func", "caller_file", "prefix", "launcher", "parse_error")
R_TS: Final = 20  # state (TS_*), text start, text end
R_TS_PAIR: Final = 23  # pair whose text is the ts candidate (-1: none)
R_LTS: Final = 24  # state, start, end of the launcher's timestamp text
R_EL_OK: Final = 27  # elapsed_s present
R_P0: Final = 28  # first pair
R_P1: Final = 29  # end of the pairs
R_MAP: Final = 30  # has a fields map (0: null)
R_ROWS: Final = 31

# --- T rows (int64).
T_TS: Final = 0
T_LTS: Final = 1
T_EL: Final = 2
T_ROWS: Final = 3

# --- Timestamp states.
TS_NONE: Final = 0
TS_OK: Final = 1
TS_PENDING: Final = 2  # not an RFC3339 shape: parsed afterwards by the full layout set

# --- Pair fields (columns of P: one row per pair).
P_KS: Final = 0
P_KE: Final = 1
P_KK: Final = 2
P_VS: Final = 3
P_VE: Final = 4
P_VK: Final = 5
P_KEEP: Final = 6  # goes to ``fields`` (not bound to a role, not replaced by a later key)
P_WIDTH: Final = 7
