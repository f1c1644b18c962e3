"""The nightly's tasks as anshin_tasks.json lists them, and what each exit code means for a task.

Airflow is not imported here, so the project's tests can read the tasks the DAG runs without it:

    python3 anshin_tasks.py --date 2026-03-01 [--no-publish]

prints that date's tasks as JSON, in the order the DAG runs them, each with the arguments of its
`anshin` command.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

TASKS_FILE = Path(__file__).with_name("anshin_tasks.json")
RUN_DATE = "{{ ds }}"

SUCCESS = "success"
SKIP = "skip"
RETRY = "retry"
FAIL = "fail"


def load(path: Path = TASKS_FILE) -> Dict[str, Any]:
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def tasks(spec: Dict[str, Any], publish: bool = True) -> List[Dict[str, Any]]:
    """The tasks in order; without the warehouse's when publish is off."""
    return [task for task in spec["tasks"] if publish or not task.get("needs_warehouse", False)]


def render(arguments: List[str], run_date: str) -> List[str]:
    """The arguments for one run date, as Airflow's template rendering of {{ ds }} gives them."""
    return [argument.replace(RUN_DATE, run_date) for argument in arguments]


def outcome(spec: Dict[str, Any], task: Dict[str, Any], exit_code: int) -> Tuple[str, str]:
    """What an exit code of the task's command means: success, skip, retry or fail; and why."""
    if exit_code == 0:
        return SUCCESS, "done"
    known = spec["exit_codes"].get(str(exit_code))
    meaning = known["meaning"] if known else "unexpected exit code (killed by a signal when above 128)"
    if exit_code in task.get("skip_exit_codes", []):
        return SKIP, meaning
    # An unknown code (a JVM killed for memory, a lost machine) is retried: every step is idempotent.
    return (RETRY if known is None or known["retry"] else FAIL), meaning


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description="Print the nightly's tasks for a date, as the Airflow DAG runs them.")
    parser.add_argument("--date", required=True, help="the run date, YYYY-MM-DD ({{ ds }})")
    parser.add_argument("--no-publish", action="store_true", help="leave out the tasks that need the warehouse")
    options = parser.parse_args(argv)
    spec = load()
    rendered = [
        {
            "task_id": task["task_id"],
            "arguments": render(task["arguments"], options.date),
            "skip_exit_codes": task.get("skip_exit_codes", []),
        }
        for task in tasks(spec, publish=not options.no_publish)
    ]
    print(json.dumps(rendered, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
