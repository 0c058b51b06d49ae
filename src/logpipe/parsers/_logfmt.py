"""key=value lines: logrus's text form, x-cray's key=value form and generic logfmt (reference).

A line is ``PAIR( PAIR)*`` with an optional trailing space, where ``PAIR`` is
``KEY=VALUE``, ``KEY`` has no space, ``=`` or ``"`` and ``VALUE`` is a Go ``%q`` string or
bare text without space or ``"``. A line that starts with ``time=`` or ``level=`` and does
not split so is split again allowing spaces in keys (logrus prints keys raw: ``a b=8``),
then leniently, each value running to the next `` key=`` (``DisableQuote`` and x-cray print
``v={Ann Lee 0}``); a quoted value left open there (a truncated line) sets ``parse_error``,
as does such a line that still shows no logrus signature.

Which format:

* ``logrus_text``: ``time=… level=…`` first, or ``level=…`` first followed by ``msg=`` or
  nothing, with a logrus level name (``warning``, not ``warn``: go-kit's ``level=warn ts=``
  lines are ``logfmt``).
* ``prefixed``: the same signature plus evidence only x-cray's key=value form leaves - a
  trailing space (``level=info \\n`` when the message is empty), or a quoted value made only
  of characters logrus leaves bare (``"snake_case"``) while ``level`` is bare. Without such
  evidence the two are indistinguishable and the line is ``logrus_text``. x-cray does not
  escape, so its quoted values are only stripped of their quotes. A custom
  ``QuoteCharacter`` is recognised from the timestamp (``time='…' level=``, ``time=<<…<<``).
* ``logfmt``: any other line that splits, whose keys are all made of ``A-Z a-z 0-9 _ . @ / -``.
"""

from __future__ import annotations

import re
from typing import Any, Final

from logpipe.parsers._fields import LOGRUS_LEVELS, ROLES, apply_roles, go_unquote

QVAL: Final = r'"(?:[^"\\]|\\.)*"'
_PAIR: Final = re.compile(r'(?P<k>[^ ="]*)=(?P<v>' + QVAL + r'|[^ "]*)', re.ASCII)
_SPACED_PAIR: Final = re.compile(r'(?P<k>[^="]*)=(?P<v>' + QVAL + r'|[^ "]*)', re.ASCII)
_LENIENT_KEY: Final = re.compile(r'(?:^| )(?P<k>[^ ="]+)=', re.ASCII)
_QUOTED_START: Final = re.compile(r'[^ ="]*="', re.ASCII)
#: x-cray's key=value form with a custom ``QuoteCharacter`` (seen around the timestamp).
CUSTOM_QUOTE: Final = '^time=[^A-Za-z0-9" =]'
_PY_CUSTOM_QUOTE: Final = re.compile('time=(?P<q>[^A-Za-z0-9" =]{1,4}?)[A-Za-z0-9]', re.ASCII)
#: Keys a generic logfmt line may use.
LOGFMT_KEY: Final = "[A-Za-z0-9_.@/-]+"
_PY_LOGFMT_KEY: Final = re.compile(LOGFMT_KEY, re.ASCII)
#: Quoted content that logrus would have printed bare (evidence of x-cray's quoting).
BARE_QUOTED: Final = '"[A-Za-z0-9._/@^+-]+"'
_PY_BARE_QUOTED: Final = re.compile(BARE_QUOTED, re.ASCII)
#: A line that may be key=value (cheap, anchored): the vectorized path's pre-filter.
KV_START: Final = '[^ ="]*='
#: Keys that, right after a leading ``level=``, mark a generic logfmt line (go-kit, slog).
GENERIC_SECOND: Final = frozenset(ROLES["logfmt"]) - frozenset(("msg", "func", "file"))

Pairs = list[tuple[str, str]]


def tokenize(text: str, pair: re.Pattern[str] = _PAIR) -> tuple[Pairs, bool] | str:
    """Split into raw (key, value) pairs and a trailing-space flag; or an error text."""
    pairs: Pairs = []
    pos, end = 0, len(text)
    while True:
        m = pair.match(text, pos)
        if m is None or (m.end() < end and text[m.end()] != " "):
            bad = pos if m is None else m.end()
            what = (
                "unterminated or malformed quoted value"
                if _quoted_at(text, pos)
                else "bad key=value"
            )
            return f"{what} at column {bad + 1}"
        pairs.append((m["k"], m["v"]))
        pos = m.end() + 1
        if pos >= end:
            return pairs, pos == end


def _quoted_at(text: str, pos: int) -> bool:
    return _QUOTED_START.match(text, pos) is not None


def _lenient(text: str) -> tuple[Pairs, bool]:
    """Pairs whose values run to the next `` key=`` (the line starts with a key)."""
    keys = list(_LENIENT_KEY.finditer(text))
    ends = [k.start() for k in keys[1:]] + [len(text)]
    pairs = [(k["k"], text[k.end() : e]) for k, e in zip(keys, ends, strict=True)]
    return pairs, False


def _custom_quoted(text: str, quote: str) -> tuple[Pairs, bool] | str:
    q = re.escape(quote)
    return tokenize(text, re.compile(f"(?P<k>[^ =]*)=(?P<v>{q}.*?{q}(?= |$)|[^ ]*)", re.DOTALL))


def classify(pairs: Pairs, trailing: bool) -> str | None:
    """The format of a split line (``logrus_text``, ``prefixed``, ``logfmt``) or None."""
    keys = [k for k, _ in pairs]
    at = _signature_level(keys)
    if at is not None and _level_text(pairs[at][1]) in LOGRUS_LEVELS:
        level_bare = not pairs[at][1].startswith('"')
        evidence = (
            trailing
            or "prefix" in keys
            or (level_bare and any(_PY_BARE_QUOTED.fullmatch(v) for _, v in pairs))
        )
        return "prefixed" if evidence else "logrus_text"
    if all(_PY_LOGFMT_KEY.fullmatch(k) for k in keys):
        return "logfmt"
    return None


def _signature_level(keys: list[str]) -> int | None:
    """Index of the ``level`` pair of a logrus signature, or None."""
    if keys[:2] == ["time", "level"]:
        return 1
    if keys[0] == "level" and (len(keys) == 1 or keys[1] not in GENERIC_SECOND):
        return 0
    return None


def _level_text(raw: str) -> str:
    try:
        return go_unquote(raw) if raw.startswith('"') else raw
    except ValueError:
        return raw


def parse_kv(text: str) -> dict[str, Any] | None:
    """Reference: the row parts of a key=value line, or None when it is not one."""
    custom = _PY_CUSTOM_QUOTE.match(text)
    if custom is not None:
        split = _custom_quoted(text, custom["q"])
        if not isinstance(split, str) and classify(*split) is not None:
            return _row("prefixed", split[0], custom["q"])
    split = tokenize(text)
    if not isinstance(split, str):
        fmt = classify(*split)
        return None if fmt is None else _row(fmt, split[0], '"', trailing=split[1])
    if not text.startswith(("time=", "level=")):
        return None
    for retry in (tokenize(text, _SPACED_PAIR), _lenient(text)):
        if not isinstance(retry, str) and classify(*retry) in ("logrus_text", "prefixed"):
            return _row(classify(*retry) or "", retry[0], '"', trailing=retry[1])
    return {"format": "logrus_text", "msg": text, "parse_error": f"no logrus line: {split}"}


def _row(fmt: str, pairs: Pairs, quote: str, *, trailing: bool = False) -> dict[str, Any]:
    texts, error = _unquote_all(pairs, quote, escapes=fmt != "prefixed")
    row = apply_roles(fmt, texts)
    if fmt in ("logrus_text", "prefixed"):
        row.setdefault("msg", "")
    if fmt == "prefixed":
        row["prefix"] = row["fields"].get("prefix")
    row["format"] = fmt
    row["parse_error"] = error
    return row


def _unquote_all(
    pairs: Pairs, quote: str, *, escapes: bool
) -> tuple[list[tuple[str, str | None]], str | None]:
    out: list[tuple[str, str | None]] = []
    error = None
    for key, raw in pairs:
        text = raw
        if raw.startswith(quote):
            if len(raw) < 2 * len(quote) or not raw.endswith(quote):
                error = error or f"unterminated quoted value of {key!r}"
            else:
                try:
                    text = go_unquote(raw) if escapes else raw[len(quote) : -len(quote)]
                except ValueError as exc:
                    error = error or f"value of {key!r}: {exc}"
        out.append((key, text))
    return out, error
