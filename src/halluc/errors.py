"""Errors that the command line turns into one clear line and exit code 2."""

from __future__ import annotations

from pathlib import Path


class HallucError(Exception):
    """Base class of every error halluc raises on purpose."""


class InputError(HallucError, ValueError):
    """Bad input: names the file, the line (1-based) and the field where it was found."""

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.field = field
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        elif self.line is not None:
            where = f"line {self.line}: "
        what = f"field '{self.field}': " if self.field is not None else ""
        return f"{where}{what}{self.message}"
