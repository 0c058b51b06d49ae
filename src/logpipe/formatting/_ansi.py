"""mgutz/ansi style strings (``green+b``, ``white:red``, ``208``) compiled to escape codes."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["RESET", "color_func", "identity", "style_code"]

RESET = "\x1b[0m"
_COLORS = {
    "black": 0,
    "red": 1,
    "green": 2,
    "yellow": 3,
    "blue": 4,
    "magenta": 5,
    "cyan": 6,
    "white": 7,
    "default": 9,
}
# Attribute letters in the order mgutz/ansi writes them.
_ATTRIBUTES = (("b", "1;"), ("d", "2;"), ("B", "5;"), ("u", "4;"), ("i", "7;"), ("s", "9;"))


def _split(part: str) -> tuple[str, str]:
    name, _, attrs = part.partition("+")
    return name, attrs


def _as_int(text: str) -> int | None:
    # Go's strconv.Atoi: optional sign, ASCII digits only.
    body = text[1:] if text[:1] in "+-" else text
    return int(text) if body and body.isascii() and body.isdigit() else None


def style_code(style: str) -> str:
    """The escape sequence mgutz/ansi's ``ColorCode(style)`` returns ("" for none)."""
    if style in ("", "off"):
        return ""
    if style == "reset":
        return RESET
    fg_part, _, bg_part = style.partition(":")
    fg, fg_attrs = _split(fg_part)
    bg, bg_attrs = _split(bg_part)
    code = "\x1b[0;" + "".join(seq for letter, seq in _ATTRIBUTES if letter in fg_attrs)
    number = _as_int(fg)
    if number is not None:
        code += f"38;5;{number};"
    else:
        code += f"{(90 if 'h' in fg_attrs else 30) + _COLORS.get(fg, 0)};"
    number = _as_int(bg)
    if number is not None:
        code += f"48;5;{number};"
    elif bg:
        code += f"{(100 if 'h' in bg_attrs else 40) + _COLORS.get(bg, 0)};"
    return code[:-1] + "m"


def identity(text: str) -> str:
    """The color function of a formatter without colors."""
    return text


def color_func(style: str) -> Callable[[str], str]:
    """mgutz/ansi ``ColorFunc``: wraps non-empty text in the style and a reset."""
    if not style:
        return identity
    start = style_code(style)

    def paint(text: str) -> str:
        return start + text + RESET if text else text

    return paint
