"""Inspect (inspect_ai) evaluation logs: ``.eval`` archives and ``.json`` logs.

A ``.eval`` file is a zip archive (members compressed with deflate or, since inspect_ai 0.3.1xx,
zstd, method 93) holding ``header.json`` (the ``EvalLog`` without samples: ``eval`` spec with
``task``, ``model``, ``config.epochs``, ``scorers``; ``results.scores[].metrics``),
``samples/<id>_epoch_<n>.json`` (one ``EvalSample`` each: ``id``, ``epoch``, ``input``,
``target`` (a string or a list of strings), ``output.completion``, ``scores`` by scorer name
with ``value`` and ``answer``, ``error``), ``summaries.json`` and ``reductions.json``; a run
still in progress has ``_journal/start.json`` instead of a header. A ``.json`` log is the same
``EvalLog`` as one JSON document with a ``samples`` list.

Score values: ``C`` -> correct, ``I`` -> incorrect (abstention detection may make it
abstained), ``N`` (no answer or refusal) -> abstained, ``P`` (partial) -> see
``ImportOptions.partial``; booleans and 0/1 numbers as correct/incorrect; a sample with an
``error`` -> error (Inspect leaves errored samples out of its metrics, as halluc's default
error policy does).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from halluc.errors import InputError
from halluc.importers.base import (
    ImportOptions,
    ImportReport,
    ImportResult,
    ImportSource,
    parse_json_bytes,
    read_json_file,
    text_of,
)
from halluc.importers.resolve import OutcomeResolver, SourceGrade
from halluc.log.outcomes import OUTCOMES, Outcome
from halluc.log.records import Record

FORMAT = "inspect"
HALLUC_OUTCOME = "halluc_outcome"
"""Score metadata key written by halluc.integrations.inspect_scorer."""
_OUTCOME_LABELS = frozenset(str(o) for o in OUTCOMES)
ZSTD = 93
SAMPLE_MEMBER = re.compile(r"^samples/(?P<id>.+)_epoch_(?P<epoch>\d+)\.json$")
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")


def looks_like_json_log(data: object) -> bool:
    return isinstance(data, dict) and isinstance(data.get("eval"), dict) and "status" in data


class _EvalArchive:
    """Reads members of a ``.eval`` zip, including zstd-compressed ones (method 93), which
    Python's zipfile cannot decompress before 3.14."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.zip = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise InputError(
                f"not a complete .eval archive ({exc}): the file is truncated or was not "
                "written by Inspect",
                path=path,
            ) from None
        except OSError as exc:
            raise InputError(f"cannot open: {exc.strerror}", path=path) from None

    def names(self) -> list[str]:
        return self.zip.namelist()

    def read(self, name: str) -> bytes:
        try:
            info = self.zip.getinfo(name)
        except KeyError:
            raise InputError(
                "member missing from the archive", path=self.path, field=name
            ) from None
        try:
            data = self._read_zstd(info) if info.compress_type == ZSTD else self.zip.read(info)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, struct.error) as exc:
            raise InputError(
                f"cannot read member ({exc}): the archive is truncated or corrupt",
                path=self.path,
                field=name,
            ) from None
        if zlib.crc32(data) != info.CRC:
            raise InputError(
                "member fails its CRC check: the archive is corrupt", path=self.path, field=name
            )
        return data

    def _read_zstd(self, info: zipfile.ZipInfo) -> bytes:
        try:
            import zstandard
        except ImportError:  # pragma: no cover - zstandard comes with the rescore extra
            raise InputError(
                "this .eval archive is zstd-compressed; install the 'zstandard' package "
                "(pip install 'halluc[rescore]')",
                path=self.path,
                field=info.filename,
            ) from None
        fp = self.zip.fp
        assert fp is not None
        fp.seek(info.header_offset)
        header = fp.read(_LOCAL_HEADER.size)
        fields = _LOCAL_HEADER.unpack(header)
        if fields[0] != b"PK\x03\x04":
            raise zipfile.BadZipFile("bad local file header")
        name_len, extra_len = fields[-2], fields[-1]
        fp.seek(info.header_offset + _LOCAL_HEADER.size + name_len + extra_len)
        compressed = fp.read(info.compress_size)
        if len(compressed) != info.compress_size:
            raise EOFError("member data cut short")
        reader = zstandard.ZstdDecompressor().stream_reader(
            io.BytesIO(compressed), read_across_frames=True
        )
        try:
            return bytes(reader.read())
        except zstandard.ZstdError as exc:
            raise zlib.error(str(exc)) from None

    def json(self, name: str, what: str) -> Any:
        return parse_json_bytes(self.read(name), self.path, what, member=name)


def _iter_archive(path: Path) -> tuple[dict[str, Any], Iterator[tuple[str, dict[str, Any]]]]:
    archive = _EvalArchive(path)
    names = archive.names()
    if "header.json" in names:
        header = archive.json("header.json", "Inspect log header")
    elif "_journal/start.json" in names:
        header = archive.json("_journal/start.json", "Inspect log start")
        header.setdefault("status", "started")
    else:
        raise InputError(
            "no header.json or _journal/start.json: not an Inspect .eval log", path=path
        )
    members = [m for m in names if SAMPLE_MEMBER.match(m)]

    def gen() -> Iterator[tuple[str, dict[str, Any]]]:
        for m in members:
            sample = archive.json(m, "Inspect sample")
            if not isinstance(sample, dict):
                raise InputError("a sample must be a JSON object", path=path, field=m)
            yield m, sample

    return header, gen()


def _iter_json(path: Path) -> tuple[dict[str, Any], Iterator[tuple[str, dict[str, Any]]]]:
    data = read_json_file(path, "Inspect log")
    if not looks_like_json_log(data):
        raise InputError("not an Inspect log (no 'eval' and 'status')", path=path)
    samples = data.get("samples") or []

    def gen() -> Iterator[tuple[str, dict[str, Any]]]:
        for i, s in enumerate(samples):
            if not isinstance(s, dict):
                raise InputError("a sample must be a JSON object", path=path, field=f"samples[{i}]")
            yield f"samples[{i}]", s

    return data, gen()


def _grade(value: object, partial: str) -> tuple[SourceGrade, str | None]:
    """Source grade of one Inspect score value, or NONE with the reason it is unmapped."""
    if isinstance(value, bool):
        return (SourceGrade.CORRECT if value else SourceGrade.INCORRECT), None
    if isinstance(value, int | float):
        if value in (0, 1):
            return (SourceGrade.CORRECT if value == 1 else SourceGrade.INCORRECT), None
        return SourceGrade.NONE, f"numeric score {value!r} is not 0/1"
    if isinstance(value, str):
        v = value.strip()
        if v == "C":
            return SourceGrade.CORRECT, None
        if v == "I":
            return SourceGrade.INCORRECT, None
        if v == "N":
            return SourceGrade.ABSTAINED, None
        if v == "P":
            return {
                "incorrect": SourceGrade.INCORRECT,
                "correct": SourceGrade.CORRECT,
                "error": SourceGrade.ERROR,
            }[partial], None
        low = v.lower()
        if low in ("yes", "true", "1", "1.0"):
            return SourceGrade.CORRECT, None
        if low in ("no", "false", "0", "0.0"):
            return SourceGrade.INCORRECT, None
        return SourceGrade.NONE, f"score value {value!r} is not C/I/N/P"
    return SourceGrade.NONE, f"score value of type {type(value).__name__} cannot be mapped"


def _question(inp: object) -> str | None:
    if isinstance(inp, str):
        return inp
    if isinstance(inp, list):
        for msg in reversed(inp):
            if isinstance(msg, dict) and msg.get("role") == "user":
                return text_of(msg.get("content"))
    return None


def _response(sample: Mapping[str, Any]) -> str | None:
    output = sample.get("output")
    if isinstance(output, dict):
        if isinstance(output.get("completion"), str) and output["completion"]:
            return str(output["completion"])
        for choice in output.get("choices") or []:
            if isinstance(choice, dict) and isinstance(choice.get("message"), dict):
                text = text_of(choice["message"].get("content"))
                if text:
                    return text
    for msg in reversed(sample.get("messages") or []):
        if isinstance(msg, dict) and msg.get("role") == "assistant":
            return text_of(msg.get("content"))
    return None


def _targets(target: object) -> list[str]:
    if isinstance(target, list):
        return [str(t) for t in target]
    if target is None or target == "":
        return []
    return [str(target)]


def _source_accuracy(header: Mapping[str, Any], scorer: str) -> float | None:
    results = header.get("results")
    if not isinstance(results, dict):
        return None
    for score in results.get("scores") or []:
        if isinstance(score, dict) and score.get("name") == scorer:
            metrics = score.get("metrics") or {}
            acc = metrics.get("accuracy") if isinstance(metrics, dict) else None
            if isinstance(acc, dict) and isinstance(acc.get("value"), int | float):
                return float(acc["value"])
    return None


def _scorer(scores: object, declared: list[str]) -> str | None:
    """The scorer to import when none is asked for: the log's first scorer that scored this
    sample, else the sample's first score, else the log's first scorer."""
    available = list(scores) if isinstance(scores, dict) else []
    found = next((s for s in declared if s in available), None)
    return found or (available[0] if available else (declared[0] if declared else None))


class _SampleGrader:
    """Grades the samples of one log with one scorer, counting into the report."""

    def __init__(self, report: ImportReport, scorer: str | None, opts: ImportOptions) -> None:
        self.scorer = scorer
        self.partial = opts.partial
        self.partial_seen = 0
        report.grade_source = f"{FORMAT}:{scorer}" if scorer else FORMAT
        self.resolver = OutcomeResolver(report, report.grade_source, detect=opts.detect_abstention)

    def grade(
        self, sample: Mapping[str, Any], response: str | None, answers: list[str], where: str
    ) -> tuple[Outcome, str, str | None, object]:
        """``(outcome, grader, error, the score's value)`` of one sample."""
        scores = sample.get("scores") or {}
        score = scores.get(self.scorer) if isinstance(scores, dict) and self.scorer else None
        value = score.get("value") if isinstance(score, dict) else None
        md = score.get("metadata") if isinstance(score, dict) else None
        native = md.get(HALLUC_OUTCOME) if isinstance(md, dict) else None
        if sample.get("error"):
            err = sample["error"]
            message = str(err.get("message") if isinstance(err, dict) else err)
            outcome, grader, _ = self.resolver.resolve(SourceGrade.ERROR, response, answers, where)
            return outcome, grader, message, value
        if native in _OUTCOME_LABELS:
            # Scored by halluc's own Inspect scorer: the outcome is already one of the four.
            return Outcome(native), f"{self.resolver.source_grader}:halluc", None, value
        if score is None:
            message = f"no score from scorer {self.scorer!r}"
            self.resolver.report.add_unmapped(where, message)
            outcome, grader, _ = self.resolver.resolve(SourceGrade.ERROR, response, answers, where)
            return outcome, grader, message, value
        grade, reason = _grade(value, self.partial)
        if isinstance(value, str) and value.strip() == "P":
            self.partial_seen += 1
        if reason is not None:
            self.resolver.report.add_unmapped(where, reason + "; graded by halluc")
        outcome, grader, error = self.resolver.resolve(grade, response, answers, where)
        return outcome, grader, error, value


def _notes(
    report: ImportReport,
    header: Mapping[str, Any],
    grader: _SampleGrader | None,
    declared: list[str],
) -> None:
    scorer = grader.scorer if grader is not None else None
    if scorer is not None:
        acc = _source_accuracy(header, scorer)
        if acc is not None:
            report.source_accuracy = acc
            report.source_accuracy_name = f"Inspect {scorer}/accuracy"
    others = [s for s in declared if s != scorer]
    if others:
        report.notes.append(f"imported scorer {scorer!r}; also in the log: {', '.join(others)}")
    if grader is not None and grader.partial_seen:
        report.notes.append(
            f"{grader.partial_seen} PARTIAL scores mapped to {grader.partial} (Inspect's accuracy "
            "counts them as 0.5, so the two accuracies differ)"
        )


def import_inspect(path: str | Path, options: ImportOptions | None = None) -> ImportResult:
    """Import one Inspect log (``.eval`` or ``.json``)."""
    opts = options or ImportOptions()
    p = Path(path)
    header, samples = _iter_archive(p) if p.suffix == ".eval" else _iter_json(p)
    spec = header.get("eval")
    if not isinstance(spec, dict):
        raise InputError("the log has no 'eval' spec", path=p, field="eval")
    source = ImportSource(
        FORMAT,
        opts.task or str(spec.get("task") or p.stem),
        opts.model or str(spec.get("model") or "unknown"),
    )
    epochs = int((spec.get("config") or {}).get("epochs") or 1)
    declared = [
        str(s.get("name"))
        for s in spec.get("scorers") or []
        if isinstance(s, dict) and s.get("name")
    ]
    report = source.report(p)
    if header.get("status") != "success":
        report.notes.append(
            f"log status is {header.get('status')!r}: imported the samples it holds"
        )
    records: list[Record] = []
    grader: _SampleGrader | None = None
    seen: dict[str, str] = {}
    for member, sample in samples:
        if grader is None:
            scorer = opts.scorer or _scorer(sample.get("scores"), declared)
            grader = _SampleGrader(report, scorer, opts)
        sid = sample.get("id")
        epoch = int(sample.get("epoch") or 1)
        key = f"{sid}" if epochs == 1 else f"{sid}#epoch{epoch}"
        if key in seen:
            raise InputError(
                f"sample {sid} epoch {epoch} appears twice (also {seen[key]})", path=p, field=member
            )
        seen[key] = member
        answers = _targets(sample.get("target"))
        response = _response(sample)
        outcome, grade_by, error, value = grader.grade(sample, response, answers, f"{p} ({member})")
        score = (sample.get("scores") or {}).get(grader.scorer) if grader.scorer else None
        records.append(
            source.record(
                sid,
                outcome,
                grade_by,
                item_key=key,
                response=response,
                error=error,
                source_grade=value,
                question=_question(sample.get("input")),
                answers=answers,
                extra={
                    "epoch": epoch,
                    "scorer": grader.scorer,
                    "answer": score.get("answer") if isinstance(score, dict) else None,
                },
            )
        )
    _notes(report, header, grader, declared)
    if not records:
        report.notes.append("the log holds no samples")
    return report.result(records)


__all__ = ["FORMAT", "import_inspect", "looks_like_json_log"]
