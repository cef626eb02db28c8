"""The record log, the hub of halluc's data flow.

Every source (evaluation, importers) writes :class:`Record` lines into a run folder's
``records.jsonl``; every consumer (scoring, reports, the census join) reads them back. Outcomes
stay categorical (:class:`Outcome`) until scoring.
"""

from halluc.log.outcomes import OUTCOMES, Outcome, parse_outcome
from halluc.log.records import Record, read_records, records_to_frame
from halluc.log.runs import RunFolder

__all__ = [
    "OUTCOMES",
    "Outcome",
    "Record",
    "RunFolder",
    "parse_outcome",
    "read_records",
    "records_to_frame",
]
