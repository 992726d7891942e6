"""Bringing the warehouse's register up to date before the fiscal years run."""

from __future__ import annotations

from pipeline.register.files import RegisterError, locate_register
from pipeline.register.load import held_register, register_version
from pipeline.settings import Paths
from pipeline.warehouse import Warehouse

UNREADABLE = "unreadable register"


def expected_register(paths: Paths) -> str:
    """The register version the files in HOUJIN_DIR give ('no register' without files)."""
    try:
        return register_version(locate_register(paths.houjin_dir))
    except RegisterError:
        return UNREADABLE  # never a held version: the register step runs, and says what is wrong


def register_is_current(paths: Paths) -> bool:
    """Whether the warehouse holds, checked, the register the files give."""
    expected = expected_register(paths)
    with Warehouse(path=str(paths.duckdb_path)).connect() as con:
        held = held_register(con)
    if held is None:
        return expected == "no register"
    return held[0] == expected and (held[2] or expected == "no register")


def bring_register_up_to_date(paths: Paths, instance, run_config: dict, tags: dict[str, str]) -> bool:
    """Run the register's job when the warehouse does not hold the files' register, checked;
    prints the one-line reason and returns False when it fails."""
    import sys

    from pipeline.cli import failure_reason
    from pipeline.definitions import REGISTER_JOB_NAME, build_definitions

    if register_is_current(paths):
        return True
    print(f"[register] loading the corporate register from {paths.houjin_dir}")
    job = build_definitions(paths).resolve_job_def(REGISTER_JOB_NAME)
    result = job.execute_in_process(instance=instance, run_config=run_config, tags=tags, raise_on_error=False)
    if not result.success:
        print(f"[register] FAILED {failure_reason(result)}", file=sys.stderr)
        return False
    return True
