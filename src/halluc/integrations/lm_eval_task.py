"""Confidence targets inside lm-evaluation-harness: a task template and its metric.

:func:`write_task` turns an existing *generation* task (``output_type: generate_until``) into
one variant per target t. Each variant ``include`` s the original YAML, so prompt, dataset,
filters and generation settings stay exactly as they were, and changes three things:

* ``description`` starts with the paper's instruction for t (lm-eval puts the description in
  front of the prompt, or in the system message under ``--apply_chat_template``);
* ``process_results`` grades each filtered answer with halluc (abstention detection, then the
  answer grader against the task's own targets and aliases);
* ``metric_list`` reports ``halluc_score`` (+1 correct, 0 "I don't know", -t/(1-t) wrong,
  averaged over the graded documents), and the rates ``halluc_correct``,
  ``halluc_incorrect``, ``halluc_abstained`` and ``halluc_error``.

The per-document indicators land in lm-eval's ``samples_<task>_<date>.jsonl``, so
``halluc rescore`` reads the outcomes back exactly, abstentions included.

lm-eval resolves ``process_results: !function <module>.<name>`` from a Python file beside the
YAML, so the writer also leaves a small module there that binds t and the task's target
template to :func:`make_process_results`.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from halluc.errors import InputError
from halluc.eval.prompts import confidence_instruction
from halluc.log.outcomes import Outcome
from halluc.render.numbers import format_number
from halluc.scoring.rules import check_target, confidence_target

METRICS = ("halluc_score", "halluc_correct", "halluc_incorrect", "halluc_abstained", "halluc_error")
TAG = "halluc_confidence_targets"


@dataclass(frozen=True, slots=True)
class FunctionRef:
    """A ``!function module.name`` reference in a task YAML, relative to the YAML's folder."""

    base_dir: str
    qualname: str

    def load(self) -> Callable[..., Any]:
        module_path, _, name = self.qualname.rpartition(".")
        file = Path(self.base_dir) / (module_path.replace(".", "/") + ".py")
        if file.is_file():
            spec = importlib.util.spec_from_file_location(f"_halluc_ref_{file.stem}", file)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot load {file}")
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(module_path)
        fn = getattr(module, name)
        if not callable(fn):
            raise TypeError(f"{self.qualname} is not callable")
        return fn  # type: ignore[no-any-return]


def load_task_yaml(path: Path, _seen: set[Path] | None = None) -> dict[str, Any]:
    """A task YAML with its ``include`` s merged (local keys win), ``!function`` tags kept as
    :class:`FunctionRef` instead of being imported."""
    import yaml  # type: ignore[import-untyped]

    path = path.expanduser().resolve()
    seen = _seen or set()
    if path in seen:
        raise InputError("include cycle", path=path)
    seen.add(path)

    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        pass

    def ctor(loader: Any, node: Any) -> FunctionRef:
        return FunctionRef(str(path.parent), str(loader.construct_scalar(node)))

    Loader.add_constructor("!function", ctor)
    try:
        cfg = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read task YAML: {exc}", path=path) from None
    if not isinstance(cfg, dict):
        raise InputError("a task YAML must be a mapping", path=path)
    includes = cfg.pop("include", None)
    if includes is None:
        return cfg
    merged: dict[str, Any] = {}
    for inc in includes if isinstance(includes, list) else [includes]:
        inc_path = Path(inc) if Path(inc).is_absolute() else path.parent / inc
        sub = load_task_yaml(inc_path, seen)
        sub.pop("task_list", None)
        merged.update(sub)
    merged.update(cfg)
    return merged


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """How the base task computes a document's target: lm-eval's ``doc_to_target`` rules."""

    doc_to_target: str | int | list[Any] | FunctionRef | None
    doc_to_choice: str | list[Any] | FunctionRef | None = None

    def answers(self, doc: Mapping[str, Any]) -> list[str]:
        target = self._target(doc)
        if isinstance(target, int) and not isinstance(target, bool):
            choices = self._choices(doc)
            if choices is not None and 0 <= target < len(choices):
                return [str(choices[target])]
            return [str(target)]
        if isinstance(target, list | tuple):
            return [str(t) for t in target]
        return [str(target)]

    def _target(self, doc: Mapping[str, Any]) -> Any:
        spec = self.doc_to_target
        if isinstance(spec, FunctionRef):
            return spec.load()(doc)
        if isinstance(spec, int | list):
            return spec
        if spec is None:
            raise ValueError("the base task has no doc_to_target")
        if spec in doc:
            return doc[spec]
        text = _render(spec, doc)
        if text.isdigit() and self.doc_to_choice is not None:
            return int(text)
        if len(text) >= 2 and text[0] == "[" and text[-1] == "]":
            try:
                return ast.literal_eval(text)
            except (SyntaxError, ValueError):
                return text
        return text

    def _choices(self, doc: Mapping[str, Any]) -> list[Any] | None:
        spec = self.doc_to_choice
        if spec is None:
            return None
        if isinstance(spec, FunctionRef):
            return list(spec.load()(doc))
        if isinstance(spec, list):
            return spec
        if spec in doc:
            return list(doc[spec])
        value = ast.literal_eval(_render(spec, doc))
        return list(value)


def _render(template: str, doc: Mapping[str, Any]) -> str:
    from lm_eval.utils import apply_template

    return str(apply_template(template, dict(doc)))


def grade(response: object, answers: Sequence[str]) -> Outcome:
    """One answer's outcome from :func:`halluc.grading.match.grade_answer` (which detects
    abstentions first); a missing answer is an error."""
    from halluc.grading.match import grade_answer

    if not isinstance(response, str):
        return Outcome.ERROR
    return grade_answer(response, list(answers))


def document_metrics(outcome: Outcome, t: float) -> dict[str, float | None]:
    """The per-document values lm-eval logs and aggregates; an error has no score."""
    rule = confidence_target(t)
    score = None if outcome is Outcome.ERROR else rule.points(outcome)
    return {
        "halluc_score": score,
        "halluc_correct": float(outcome is Outcome.CORRECT),
        "halluc_incorrect": float(outcome is Outcome.INCORRECT),
        "halluc_abstained": float(outcome is Outcome.ABSTAINED),
        "halluc_error": float(outcome is Outcome.ERROR),
    }


def make_process_results(
    t: float, target: TargetSpec
) -> Callable[[Mapping[str, Any], list[Any]], dict[str, float | None]]:
    """lm-eval's ``process_results(doc, results)`` for target t."""
    t = check_target(t)

    def process_results(doc: Mapping[str, Any], results: list[Any]) -> dict[str, float | None]:
        response = results[0] if results else None
        while isinstance(response, list | tuple):
            response = response[0] if response else None
        return document_metrics(grade(response, target.answers(doc)), t)

    process_results.__name__ = f"halluc_process_results_t{format_number(t)}"
    return process_results


def mean_scored(items: Sequence[float | None]) -> float:
    """Mean over documents that could be graded (errors carry no score and are left out, as
    halluc's default error policy does); ``nan`` when none could."""
    scored = [float(x) for x in items if x is not None]
    return sum(scored) / len(scored) if scored else float("nan")


_NAME_SAFE = re.compile(r"[^A-Za-z0-9_]+")


def variant_name(base: str, t: float) -> str:
    return f"{base}_halluc_t{format_number(check_target(t)).replace('.', 'p')}"


def _find_yaml(base: str | Path, include_path: str | Path | None) -> tuple[Path, str]:
    p = Path(base)
    if p.suffix in (".yaml", ".yml") and p.is_file():
        cfg = load_task_yaml(p)
        name = cfg.get("task")
        return p.resolve(), str(name) if isinstance(name, str) else p.stem
    from lm_eval.tasks import TaskManager

    manager = TaskManager(include_path=str(include_path) if include_path else None)
    entry = manager.task_index.get(str(base))
    if entry is None or entry.yaml_path is None:
        raise InputError(
            f"no lm-eval task {str(base)!r} with a YAML config (give the YAML path, or the "
            "folder that holds it with include_path)",
            field="base",
        )
    return Path(entry.yaml_path).resolve(), str(base)


def _yaml_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid YAML scalar


def write_task(
    base: str | Path,
    targets: Sequence[float],
    out_dir: str | Path,
    *,
    include_path: str | Path | None = None,
) -> list[Path]:
    """Write one task variant per t for the generation task ``base`` (a YAML path, or a task
    name lm-eval knows); returns the YAML files. Run them with ``--include_path out_dir``."""
    yaml_path, base_name = _find_yaml(base, include_path)
    cfg = load_task_yaml(yaml_path)
    output_type = cfg.get("output_type", "generate_until")
    if output_type != "generate_until":
        raise InputError(
            f"task {base_name!r} is a {output_type} task: the model scores fixed choices and "
            'cannot answer "I don\'t know"; confidence targets need a generation task',
            path=yaml_path,
            field="output_type",
        )
    if cfg.get("doc_to_target") is None:
        raise InputError("the task has no doc_to_target", path=yaml_path, field="doc_to_target")
    description = cfg.get("description", "")
    if isinstance(description, FunctionRef):
        raise InputError(
            "the task's description is a function; halluc can only prepend to a text or "
            "template description",
            path=yaml_path,
            field="description",
        )
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for t in sorted({check_target(x) for x in targets}):
        name = variant_name(base_name, t)
        module = _NAME_SAFE.sub("_", name)
        spec = TargetSpec(cfg.get("doc_to_target"), cfg.get("doc_to_choice"))
        (out / f"{module}.py").write_text(_shim(t, spec), encoding="utf-8")
        instruction = confidence_instruction(t)
        desc = instruction + ("\n\n" + str(description) if description else "\n\n")
        lines = [
            "# Written by halluc (halluc.integrations.lm_eval_task.write_task).",
            f"# {base_name} with the confidence-target instruction for t = {format_number(t)}"
            " and halluc's scoring.",
            f"include: {_yaml_string(str(yaml_path))}",
            f"task: {name}",
            f"tag: [{TAG}]",
            f"description: {_yaml_string(desc)}",
            f"process_results: !function {module}.process_results",
            "metric_list:",
            "  - metric: halluc_score",
            f"    aggregation: !function {module}.mean_scored",
            "    higher_is_better: true",
        ]
        for metric, better in (
            ("halluc_correct", "true"),
            ("halluc_incorrect", "false"),
            ("halluc_abstained", "false"),
            ("halluc_error", "false"),
        ):
            lines += [
                f"  - metric: {metric}",
                "    aggregation: mean",
                f"    higher_is_better: {better}",
            ]
        lines += [
            "metadata:",
            "  version: 1.0",
            f"  halluc_target: {t!r}",
            f"  halluc_penalty: {confidence_target(t).wrong_penalty!r}",
            f"  halluc_base_task: {_yaml_string(base_name)}",
        ]
        path = out / f"{module}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    return written


def _shim(t: float, spec: TargetSpec) -> str:
    def lit(value: object) -> str:
        if isinstance(value, FunctionRef):
            return f"FunctionRef({value.base_dir!r}, {value.qualname!r})"
        return repr(value)

    return (
        '"""Written by halluc: binds t and the task target to halluc\'s lm-eval metric."""\n'
        "from halluc.integrations.lm_eval_task import (\n"
        "    FunctionRef,\n"
        "    TargetSpec,\n"
        "    make_process_results,\n"
        "    mean_scored,\n"
        ")\n\n"
        f"TARGET = TargetSpec({lit(spec.doc_to_target)}, {lit(spec.doc_to_choice)})\n"
        f"process_results = make_process_results({t!r}, TARGET)\n"
        '__all__ = ["FunctionRef", "mean_scored", "process_results"]\n'
    )


__all__ = [
    "METRICS",
    "TAG",
    "FunctionRef",
    "TargetSpec",
    "document_metrics",
    "grade",
    "load_task_yaml",
    "make_process_results",
    "mean_scored",
    "variant_name",
    "write_task",
]
