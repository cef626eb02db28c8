"""The one place where library field names become command-line flags.

The library names its own fields (``targets``, ``max_tokens``); an error about an argument (one
that names no file) is shown to a command-line user with the flag they typed (``--targets``).
Errors about a file keep the field as it is: there it names a column or key of that file.
"""

from __future__ import annotations

from halluc.errors import HallucError, InputError

FLAG_OF: dict[str, str] = {
    # library field -> flag, where the flag is not simply "--" + field with "-" for "_"
    "base_model": "--model",
    "base_world": "--world",
    "fmt": "--format",
    "max_item_records": "--max-records",
    "n_bins": "--bins",
    "n_choices": "--choices",
    "n_examples": "--examples",
    "n_new": "--extrapolate-to",
    "n_people": "--people",
    "n_templates": "--templates",
    "target_sr": "--sr",
    "zipf_exponent": "--zipf",
}


def flag_for(field: str) -> str:
    """The flag a user types for the library field ``field``."""
    if field.startswith("-"):
        return field
    return FLAG_OF.get(field, "--" + field.replace("_", "-"))


def for_command_line(exc: HallucError) -> str:
    """The one line printed for ``exc``: an argument's field shown as its flag."""
    if isinstance(exc, InputError) and exc.path is None and exc.field is not None:
        shown = InputError(exc.message, line=exc.line, field=flag_for(exc.field))
        return str(shown)
    return str(exc)
