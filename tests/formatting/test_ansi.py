"""mgutz/ansi style strings compiled to escape codes."""

from __future__ import annotations

import pytest

from logpipe.formatting._ansi import color_func, style_code


@pytest.mark.parametrize(
    ("style", "code"),
    [
        ("green", "\x1b[0;32m"),
        ("black+h", "\x1b[0;90m"),
        ("green+b", "\x1b[0;1;32m"),
        ("magenta+bh", "\x1b[0;1;95m"),
        ("cyan+d", "\x1b[0;2;36m"),
        ("red+Buis", "\x1b[0;5;4;7;9;31m"),
        ("white:red", "\x1b[0;37;41m"),
        ("black+b:white+h", "\x1b[0;1;30;107m"),
        ("208", "\x1b[0;38;5;208m"),
        ("15:88", "\x1b[0;38;5;15;48;5;88m"),
        ("default:blue", "\x1b[0;39;44m"),
        ("unknowncolor", "\x1b[0;30m"),
        ("reset", "\x1b[0m"),
        ("off", ""),
        ("", ""),
    ],
)
def test_style_codes(style: str, code: str) -> None:
    assert style_code(style) == code


def test_color_functions() -> None:
    assert color_func("green")("hi") == "\x1b[0;32mhi\x1b[0m"
    assert color_func("green")("") == ""  # empty text stays empty (an empty key)
    assert color_func("")("hi") == "hi"
    assert color_func("off")("hi") == "hi\x1b[0m"  # mgutz/ansi still appends the reset
