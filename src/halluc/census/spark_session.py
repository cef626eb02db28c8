"""Starting (or reusing) a Spark session for the census: ``local[*]`` or any master URL.

Python workers run this same interpreter (so they have halluc and its dependencies), Spark's
web UI and console progress are off unless asked for, and Spark's own logging is kept to
errors through the ``log4j2.properties`` shipped beside this module.
"""

from __future__ import annotations

import os
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from halluc.errors import InputError

LOG4J = Path(__file__).with_name("log4j2.properties")


@dataclass(frozen=True, slots=True)
class SparkConfig:
    master: str = "local[*]"
    driver_memory: str = "2g"
    shuffle_partitions: int | None = None
    """Default: 2 per core in local mode (Spark's 200 is far too many for one machine)."""
    console_progress: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"master": self.master, "driver_memory": self.driver_memory, **self.extra}


def _import_pyspark() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        try:
            from pyspark.sql import SparkSession
        except ImportError:  # pragma: no cover - the census extra installs it
            raise InputError(
                "the Spark backend needs pyspark (pip install 'halluc[census]')", field="backend"
            ) from None
    return SparkSession


def get_spark(config: SparkConfig | None = None) -> Any:
    """The active Spark session, or a new one built from ``config``."""
    cfg = config or SparkConfig()
    session_cls = _import_pyspark()
    active = session_cls.getActiveSession()
    if active is not None:
        return active
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    cores = os.cpu_count() or 1
    partitions = cfg.shuffle_partitions or (2 * cores if cfg.master.startswith("local") else 200)
    log_opt = f"-Dlog4j2.configurationFile=file:{LOG4J}"
    builder = (
        session_cls.builder.master(cfg.master)
        .appName("halluc-census")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", str(cfg.console_progress).lower())
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.driver.memory", cfg.driver_memory)
        .config("spark.driver.extraJavaOptions", log_opt)
        .config("spark.executor.extraJavaOptions", log_opt)
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.python.worker.reuse", "true")
    )
    for k, v in cfg.extra.items():
        builder = builder.config(k, v)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        try:
            spark = builder.getOrCreate()
        except Exception as exc:  # Java missing, bad master URL, ...
            raise InputError(f"cannot start Spark ({exc})", field="master") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def python_error_message(exc: BaseException) -> str:
    """The last line of a Python worker's traceback inside a Spark error, or the error."""
    text = str(exc)
    for line in reversed(text.splitlines()):
        line = line.strip()
        if line.startswith("halluc.errors.InputError:"):
            return line.split(":", 1)[1].strip()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[0][:500] if lines else type(exc).__name__
