"""Text census scan speed versus ``grep -F -c -f`` with the same patterns on the same corpus.

Default: a 400 MB JSONL corpus of lowercase English-like documents (a Zipfian vocabulary of
40,000 words) in which the subjects and answers of 5,000 QA items (names of 2-3 words, answers
with 2 aliases each; ~14,000 distinct patterns) are mentioned at a realistic rate.

halluc: ``count_text`` with one worker process per core: parse every JSON line, normalize case
and whitespace, Aho–Corasick scan, word boundaries, and per-item subject/answer/co-occurrence
document counts.
Baseline, on the same file: ``grep -F -c -f patterns.txt corpus.jsonl`` (one core; counts the
lines holding any pattern, no JSON parsing, no normalization, no per-item counts). The
patterns are halluc's normalized (lowercase) patterns and the corpus is lowercase, so grep finds
the same occurrences (and stops scanning a line at its first match, which favours grep).

Speed per core is MB of corpus per CPU second (user + system, children included), which does
not depend on how busy the machine is; wall-clock MB/s is printed too.

    .venv/bin/python benchmarks/bench_census_text.py [--mb 400] [--items 5000] [--workers 0]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import orjson

from halluc.census.api import count_text
from halluc.census.items import ItemFields, read_items
from halluc.census.matcher import PatternSet
from halluc.census.sources import expand_inputs
from halluc.census.text_scan import TextOptions

SYLL = ["ka", "ro", "mi", "ta", "len", "vor", "bel", "sun", "dra", "qui", "zo", "pel", "nar"]


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def make_data(folder: Path, mb: int, n_items: int, seed: int) -> tuple[Path, Path]:
    corpus, items = folder / f"corpus-{mb}mb.jsonl", folder / f"items-{n_items}.jsonl"
    if corpus.exists() and items.exists():
        return corpus, items
    rng = np.random.default_rng(seed)
    letters = np.array(list("etaoinshrdlcumwfgypbvkjxqz"))
    freq = np.array(
        [
            12.7,
            9.1,
            8.2,
            7.5,
            7.0,
            6.7,
            6.3,
            6.1,
            6.0,
            4.3,
            4.0,
            2.8,
            2.8,
            2.4,
            2.4,
            2.2,
            2.0,
            2.0,
            1.9,
            1.5,
            1.0,
            0.8,
            0.15,
            0.15,
            0.1,
            0.07,
        ]
    )
    freq = freq / freq.sum()
    lengths = rng.integers(2, 10, size=40_000)
    vocab = ["".join(rng.choice(letters, size=k, p=freq)) for k in lengths]
    zipf = 1.0 / np.arange(1, len(vocab) + 1)
    zipf /= zipf.sum()

    def name(k: int) -> str:
        return "".join(str(SYLL[j]) for j in rng.integers(0, len(SYLL), size=k))

    rows = []
    for i in range(n_items):
        subject = " ".join(name(int(rng.integers(2, 4))) for _ in range(int(rng.integers(2, 4))))
        answer = name(3)
        rows.append({"id": f"q{i}", "subject": subject, "answers": [answer, answer + " city"]})
    with items.open("wb") as fh:
        for r in rows:
            fh.write(orjson.dumps(r) + b"\n")
    target = mb * 1_000_000
    size = 0
    with corpus.open("wb") as fh:
        while size < target:
            words = list(np.asarray(vocab, dtype=object)[rng.choice(len(vocab), 3000, p=zipf)])
            lines = []
            for start in range(0, 3000, 300):
                doc = words[start : start + 300]
                for _ in range(int(rng.integers(0, 4))):  # a few mentions per document
                    r = rows[int(rng.integers(0, n_items))]
                    doc.insert(int(rng.integers(0, len(doc))), r["subject"])
                    if rng.random() < 0.5:
                        doc.insert(int(rng.integers(0, len(doc))), r["answers"][0])
                lines.append(orjson.dumps({"text": " ".join(doc)}) + b"\n")
            data = b"".join(lines)
            fh.write(data)
            size += len(data)
    return corpus, items


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--mb", type=int, default=400, help="corpus size in MB (default 400)")
    ap.add_argument("--items", type=int, default=5000)
    ap.add_argument("--workers", type=int, default=0, help="0: one per core")
    ap.add_argument("--data-dir", type=Path, default=None, help="keep generated data here")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    tmp = None
    folder = args.data_dir
    if folder is None:
        tmp = tempfile.mkdtemp(prefix="halluc-bench-text-")
        folder = Path(tmp)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        corpus, items = make_data(folder, args.mb, args.items, args.seed)
        print(
            f"data: {corpus.stat().st_size / 1e6:.0f} MB corpus, {args.items} items "
            f"({time.perf_counter() - t0:.1f} s to make or find)"
        )
        its = read_items(expand_inputs([items]), ItemFields())
        pset = PatternSet.build(its.ids, its.subjects, its.answers)
        patterns = folder / "patterns.txt"
        patterns.write_text("\n".join(pset.patterns) + "\n")
        mb = corpus.stat().st_size / 1e6
        grep = shutil.which("grep")
        if grep is None:
            sys.exit("grep not found")
        c0, w0 = _cpu(), time.perf_counter()
        out = subprocess.run(
            [grep, "-F", "-c", "-f", str(patterns), str(corpus)],
            capture_output=True,
            text=True,
            check=False,
        )
        g_wall, g_cpu = time.perf_counter() - w0, _cpu() - c0
        lines_with_match = int(out.stdout.strip() or 0)
        opt = TextOptions(workers=args.workers)
        c0, w0 = _cpu(), time.perf_counter()
        result = count_text([corpus], [items], options=opt)
        h_wall, h_cpu = time.perf_counter() - w0, _cpu() - c0
        workers = result.parameters["workers"]
        print(
            f"patterns: {len(pset.patterns)}; documents: {result.stats['documents']:,}; "
            f"grep lines with a match: {lines_with_match:,}; halluc documents mentioning an "
            f"item: {result.stats['documents_matching']:,}"
        )
        print(
            f"grep -F -c -f : {g_wall:7.2f} s wall, {g_cpu:7.2f} s CPU -> "
            f"{mb / g_wall:6.1f} MB/s wall, {mb / g_cpu:6.1f} MB per CPU-second (1 core)"
        )
        print(
            f"halluc text   : {h_wall:7.2f} s wall, {h_cpu:7.2f} s CPU -> "
            f"{mb / h_wall:6.1f} MB/s wall, {mb / h_cpu:6.1f} MB per CPU-second "
            f"({workers} workers on {os.cpu_count()} cores)"
        )
        print(f"per-core speed ratio halluc/grep (MB per CPU-second): {g_cpu / h_cpu:.2f}")
        print(
            f"per-core speed ratio halluc/grep (wall MB/s per worker vs grep): "
            f"{(mb / h_wall / workers) / (mb / g_wall):.2f}"
        )
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
