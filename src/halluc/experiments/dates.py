"""The answer space of the birthday world: the 365 dates of a non-leap year in DD-MM form.

Every fact has exactly one written form (the paper's Definition 1 assumes this), so for each
person the response set R_c is these 365 strings, one of them is right and |E_c| = 364.
"""

from __future__ import annotations

import datetime as dt

YEAR_FOR_DATES = 2023  # any non-leap year: 365 days

DATES: tuple[str, ...] = tuple(
    (dt.date(YEAR_FOR_DATES, 1, 1) + dt.timedelta(days=i)).strftime("%d-%m") for i in range(365)
)
N_DATES = len(DATES)
MIN_ERROR_SET = N_DATES - 1
"""min_c |E_c| = max_c |E_c| = 364: every date but the right one is an error."""
MAX_VALID_SET = 2
"""max_c |V_c| = 2: the right date and "I don't know" (Definition 1)."""
