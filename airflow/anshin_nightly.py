"""Anshin's nightly as an Airflow DAG: one task per step, for Airflow 2.7+ and 3.

Copy this file and anshin_tasks.json and anshin_tasks.py (they are read from beside it) into the DAG
folder, create the pool, and set the environment of the scheduler and workers:

    airflow pools set anshin 1 "Anshin: one run per lakehouse at a time"

    ANSHIN_HOME        where Anshin is installed: its bin/anshin runs each step (default /opt/anshin)
    ANSHIN_CONF        its configuration file (default /etc/anshin/anshin.conf)
    ANSHIN_START_DATE  the first night to run, YYYY-MM-DD (default 2026-01-01); catchup runs every
                       night since, one after another
    ANSHIN_SCHEDULE    cron of the nightly, in UTC (default "0 2 * * *": each day's run starts at 02:00
                       the next day, when the day's exports have landed); {{ ds }} is the day run
    ANSHIN_PUBLISH     "false" leaves out the publish task (no SQL warehouse configured)

The tasks, their order and their commands come from anshin_tasks.json, the list the project's
end-to-end test runs on a small world (docs/operations.md, "Airflow").
"""

from __future__ import annotations

import logging
import os
import shlex
import signal
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

try:  # Airflow 3
    from airflow.sdk import DAG, BaseOperator
except ImportError:  # Airflow 2
    from airflow import DAG
    from airflow.models.baseoperator import BaseOperator
from airflow.exceptions import AirflowException, AirflowFailException, AirflowSkipException
from airflow.timetables.interval import CronDataIntervalTimetable

sys.path.insert(0, str(Path(__file__).parent))
import anshin_tasks  # noqa: E402  (beside this file)

ANSHIN = str(Path(os.environ.get("ANSHIN_HOME", "/opt/anshin")) / "bin" / "anshin")
CONF = os.environ.get("ANSHIN_CONF", "/etc/anshin/anshin.conf")
START_DATE = datetime.strptime(os.environ.get("ANSHIN_START_DATE", "2026-01-01"), "%Y-%m-%d").replace(tzinfo=timezone.utc)
SCHEDULE = os.environ.get("ANSHIN_SCHEDULE", "0 2 * * *")
PUBLISH = os.environ.get("ANSHIN_PUBLISH", "true").lower() != "false"
SPEC = anshin_tasks.load()

log = logging.getLogger(__name__)


class AnshinStepOperator(BaseOperator):
    """Runs one `anshin` command and turns its exit code into the task's state.

    0 succeeds; a code the task lists in skip_exit_codes skips it (the tasks after it still run, as
    the nightly does); a retryable code (66 a missing source, 75 the lakehouse is busy, 70 and 73)
    fails and is retried; a code that a retry cannot fix (64, 65, 78) fails at once, without retries.
    Killing the task is safe: every step is one Delta transaction per table and a rerun replaces the
    date's rows.
    """

    template_fields = ("arguments",)
    ui_color = "#e3f1e6"

    def __init__(self, *, arguments, skip_exit_codes=(), **kwargs):
        super().__init__(**kwargs)
        self.arguments = list(arguments)
        self.skip_exit_codes = list(skip_exit_codes)
        self._process = None

    def execute(self, context):
        command = [ANSHIN, *self.arguments, "--conf", CONF]
        self.log.info("Running %s", shlex.join(command))
        self._process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        for line in self._process.stdout:
            self.log.info("%s", line.rstrip())
        exit_code = self._process.wait()
        task = {"skip_exit_codes": self.skip_exit_codes}
        action, meaning = anshin_tasks.outcome(SPEC, task, exit_code)
        message = f"anshin {self.arguments[0]} exited {exit_code}: {meaning}"
        if action == anshin_tasks.SUCCESS:
            return None
        if action == anshin_tasks.SKIP:
            raise AirflowSkipException(message)
        if action == anshin_tasks.RETRY:
            raise AirflowException(message)
        raise AirflowFailException(message)

    def on_kill(self):
        # The JVM runs in its own session: stop it and everything it started.
        if self._process is not None and self._process.poll() is None:
            os.killpg(self._process.pid, signal.SIGTERM)


def notify_failure(context):
    """Called when a task has failed for good (after its retries). Replace or extend it to page
    someone: docs/operations.md shows Slack and e-mail."""
    task_instance = context["task_instance"]
    log.error("Anshin's nightly failed: task %s of %s (try %s): %s. Log: %s",
              task_instance.task_id, context["ds"], task_instance.try_number,
              context.get("exception"), getattr(task_instance, "log_url", ""))


with DAG(
    dag_id="anshin_nightly",
    description="Anshin: the nightly Customer Reliability Engineering job, one task per step",
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=START_DATE,
    # Every night since start_date runs, one after another, in date order: a day's features and
    # scores are computed from the lakehouse as the nights before it left it.
    catchup=True,
    max_active_runs=1,
    default_args={
        "owner": "cre-data",
        "depends_on_past": True,
        "pool": "anshin",
        "retries": 3,
        "retry_delay": timedelta(minutes=20),
        "retry_exponential_backoff": True,
        "execution_timeout": timedelta(hours=6),
        "on_failure_callback": notify_failure,
    },
    tags=["anshin", "cre"],
    doc_md=__doc__,
) as dag:
    previous = None
    for spec_task in anshin_tasks.tasks(SPEC, publish=PUBLISH):
        step = AnshinStepOperator(
            task_id=spec_task["task_id"],
            arguments=spec_task["arguments"],
            skip_exit_codes=spec_task.get("skip_exit_codes", []),
            doc_md=spec_task.get("doc"),
            # After a skipped score (no model yet) publish and report still run, as in the nightly;
            # after a failure nothing downstream runs.
            trigger_rule="none_failed",
        )
        if previous is not None:
            previous >> step
        previous = step
