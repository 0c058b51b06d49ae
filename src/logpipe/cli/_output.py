"""Tables for people (rich on a terminal, aligned plain text when piped) and cell formatting."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

__all__ = ["Report", "cell"]


def cell(value: Any) -> str:
    """A value as a table shows it (null as empty text, lists comma-separated)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float | Decimal):
        return f"{value:.4g}"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, list | tuple):
        return ", ".join(cell(v) for v in value)
    return str(value)


class Report:
    """Writes titles, lines and tables to ``out``: styled when ``tty``, plain otherwise."""

    def __init__(self, out: TextIO | None = None, *, tty: bool | None = None) -> None:
        self.out = sys.stdout if out is None else out
        self.tty = self.out.isatty() if tty is None else tty
        self.console = Console(
            file=self.out, force_terminal=self.tty, soft_wrap=not self.tty, highlight=False
        )

    def line(self, text: str = "", style: str | None = None) -> None:
        if self.tty:
            self.console.print(Text(text, style=style or ""))
        else:
            self.out.write(text + "\n")

    def table(
        self,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        title: str | None = None,
        styles: Sequence[str | None] | None = None,
    ) -> None:
        """One table; ``styles`` gives each row a style on a terminal (e.g. red for a failure)."""
        body = [[cell(v) for v in row] for row in rows]
        if self.tty:
            table = Table(*columns, title=title, title_justify="left")
            for n, row in enumerate(body):
                style = styles[n] if styles else None
                table.add_row(*(Text(c) for c in row), style=style)
            self.console.print(table)
            return
        if title:
            self.out.write(title + "\n")
        widths = [len(c) for c in columns]
        for row in body:
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
        for row in [list(columns), *body]:
            text = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
            self.out.write(text.rstrip() + "\n")
        self.out.write("\n")

    def flush(self) -> None:
        self.out.flush()
