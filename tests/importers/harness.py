"""Running the real harnesses on the machine to produce the logs the importers read.

lm-evaluation-harness runs in-process exactly as its CLI does with ``--log_samples``
(``simple_evaluate`` with an ``EvaluationTracker``, then ``save_results_aggregated`` and
``save_results_samples``), on task YAMLs written here over local JSON data, so nothing is
downloaded. Inspect runs with its own ``mockllm/model`` and scripted outputs.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
FOREIGN = Path(__file__).resolve().parents[1] / "fixtures" / "foreign"

EASY_QA = [
    {"id": "q1", "question": "What is the capital of France?", "answers": ["Paris"]},
    {"id": "q2", "question": "How many legs does a spider have?", "answers": ["8", "eight"]},
    {"id": "q3", "question": "What colour is the sky on a clear day?", "answers": ["blue"]},
    {
        "id": "q4",
        "question": "Who was the first president of the United States?",
        "answers": ["George Washington", "Washington"],
    },
    {
        "id": "q5",
        "question": "What is the largest planet in the Solar System?",
        "answers": ["Jupiter"],
    },
    {
        "id": "q6",
        "question": "Who wrote the novel Zorbeline's Quiet Harbour (1911)?",
        "answers": ["Edith Varnholm"],
    },
]


def write_jsonl(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def generation_task(folder: Path, name: str, rows: Sequence[dict[str, Any]]) -> Path:
    """A generate_until task over local rows (question, answers aliases), exact-match graded."""
    data = write_jsonl(folder / f"{name}.jsonl", rows)
    yaml = folder / f"{name}.yaml"
    yaml.write_text(
        f"""task: {name}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {json.dumps(str(data))}
test_split: test
output_type: generate_until
doc_to_text: "Answer with a single word or number.\\nQuestion: {{{{question}}}}\\nAnswer:"
doc_to_target: "{{{{answers}}}}"
generation_kwargs:
  until: ["\\n"]
  max_gen_toks: 12
  do_sample: false
  temperature: 0.0
filter_list:
  - name: none
    filter:
      - function: take_first
  - name: last-word
    filter:
      - function: regex
        regex_pattern: "([A-Za-z0-9]+)"
        group_select: -1
      - function: take_first
metric_list:
  - metric: exact_match
    aggregation: mean
    higher_is_better: true
    ignore_case: true
    ignore_punctuation: true
metadata:
  version: 1.0
""",
        encoding="utf-8",
    )
    return yaml


def multiple_choice_task(folder: Path, name: str, rows: Sequence[dict[str, Any]]) -> Path:
    """A log-likelihood multiple-choice task (the kind that cannot be re-scored)."""
    data = write_jsonl(folder / f"{name}.jsonl", rows)
    yaml = folder / f"{name}.yaml"
    yaml.write_text(
        f"""task: {name}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {json.dumps(str(data))}
test_split: test
output_type: multiple_choice
doc_to_text: "Question: {{{{question}}}}\\nAnswer:"
doc_to_choice: "{{{{choices}}}}"
doc_to_target: "{{{{label}}}}"
metric_list:
  - metric: acc
    aggregation: mean
    higher_is_better: true
metadata:
  version: 1.0
""",
        encoding="utf-8",
    )
    return yaml


def run_lm_eval(
    model: str,
    model_args: str,
    tasks: Sequence[str],
    include_path: Path,
    output_path: Path,
    *,
    apply_chat_template: bool = False,
) -> dict[str, Any]:
    """Run lm-evaluation-harness as its CLI does with --output_path and --log_samples."""
    from lm_eval.evaluator import simple_evaluate
    from lm_eval.loggers import EvaluationTracker
    from lm_eval.tasks import TaskManager

    tracker = EvaluationTracker(output_path=str(output_path))
    results = simple_evaluate(
        model=model,
        model_args=model_args,
        tasks=list(tasks),
        task_manager=TaskManager(include_path=str(include_path), include_defaults=False),
        log_samples=True,
        evaluation_tracker=tracker,
        apply_chat_template=apply_chat_template,
    )
    assert results is not None
    samples = results.pop("samples")
    tracker.save_results_aggregated(results=results, samples=samples)
    for task_name in results["configs"]:
        tracker.save_results_samples(task_name=task_name, samples=samples[task_name])
    return results


def samples_file(output_path: Path, task: str) -> Path:
    pattern = re.compile(rf"^samples_{re.escape(task)}_\d{{4}}-\d{{2}}-\d{{2}}T[\d.-]+\.jsonl$")
    found = sorted(p for p in output_path.rglob("samples_*.jsonl") if pattern.match(p.name))
    assert len(found) == 1, found
    return found[0]


def mock_outputs(texts: Sequence[str]) -> list[Any]:
    """Scripted mockllm outputs (with usage set, so mockllm never counts tokens online)."""
    from inspect_ai.model import ModelOutput, ModelUsage

    out = []
    for text in texts:
        o = ModelOutput.from_content("mockllm/model", text)
        o.usage = ModelUsage(input_tokens=10, output_tokens=5, total_tokens=15)
        out.append(o)
    return out
