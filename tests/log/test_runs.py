"""A run folder is written by one process at a time; a lock of a killed process is reclaimed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from halluc.errors import HallucError, InputError
from halluc.log.runs import LOCK, RunFolder, RunFolderInUseError

HOLD = textwrap.dedent(
    """
    import sys, time
    from halluc.log.runs import RunFolder
    run = RunFolder.create(sys.argv[1], {"model": "holder"})
    print("locked", flush=True)
    time.sleep(120)
    """
)


REOPEN = "import sys; from halluc.log.runs import RunFolder; RunFolder.open(sys.argv[1]).close()"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


def reopened_by_another_process(folder: Path) -> bool:
    done = subprocess.run([sys.executable, "-c", REOPEN, str(folder)], env=ENV, capture_output=True)
    return done.returncode == 0


@contextmanager
def held_by_another_process(folder: Path) -> Iterator[subprocess.Popen[str]]:
    """A real second process that creates the run folder and keeps it open for writing."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(folder)], stdout=subprocess.PIPE, text=True, env=ENV
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != LOCK}


def test_a_second_writer_is_refused_in_one_line_and_writes_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    with held_by_another_process(folder) as holder:
        before = _snapshot(folder)
        with pytest.raises(RunFolderInUseError) as info:
            RunFolder.create(folder, {"model": "intruder"}, resume_keys=["model"])
        assert str(info.value) == (
            f"run folder {folder} is in use by another halluc process (pid {holder.pid})"
        )
        assert isinstance(info.value, HallucError)
        with pytest.raises(RunFolderInUseError):
            RunFolder.open(folder)
        assert _snapshot(folder) == before
        assert not reopened_by_another_process(folder)


def test_readers_need_no_lock(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    with held_by_another_process(folder):
        reader = RunFolder(folder)
        assert reader.config()["model"] == "holder" and reader.records() == []
        assert not reader.locked


def test_a_lock_left_by_a_killed_process_is_reclaimed(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    with held_by_another_process(folder) as holder:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
        assert (folder / LOCK).exists()  # the file stays; the OS dropped the lock itself
        run = RunFolder.open(folder)
        assert run.locked and (folder / LOCK).read_text().strip() == str(os.getpid())
        run.close()


def test_one_process_may_reopen_its_own_folder_and_close_releases(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    with RunFolder.create(folder, {"model": "m"}) as first:
        second = RunFolder.create(folder, {"model": "m"}, resume_keys=["model"])
        assert first.locked and second.locked
        second.close()
    assert not first.locked
    assert reopened_by_another_process(folder)


def test_a_refused_reopen_releases_the_lock(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    RunFolder.create(folder, {"model": "a"}).close()
    with pytest.raises(InputError, match="different run"):
        RunFolder.create(folder, {"model": "b"}, resume_keys=["model"])

    def refuse(config: object, path: Path) -> None:
        raise InputError("not this kind of run", path=path)

    with pytest.raises(InputError, match="not this kind"):
        RunFolder.create(folder, {"model": "a"}, check_config=refuse)
    assert reopened_by_another_process(folder)
    with pytest.raises(InputError, match="not a run folder"):
        RunFolder.open(tmp_path / "nothing")
