"""Tests of anshin_tasks.py, without Airflow: `python3 -m unittest discover -s airflow`
(AirflowDagTest runs them with the project's tests)."""

import unittest

import anshin_tasks


class AnshinTasksTest(unittest.TestCase):
    spec = anshin_tasks.load()

    def task(self, task_id):
        return next(task for task in self.spec["tasks"] if task["task_id"] == task_id)

    def test_the_run_date_replaces_every_template_and_nothing_else(self):
        self.assertEqual(anshin_tasks.render(["train", "--date", "{{ ds }}", "--on-cadence"], "2026-03-01"),
                         ["train", "--date", "2026-03-01", "--on-cadence"])
        for task in self.spec["tasks"]:
            rendered = anshin_tasks.render(task["arguments"], "2026-03-01")
            self.assertNotIn("{{", " ".join(rendered))
            self.assertIn("2026-03-01", rendered)

    def test_without_a_warehouse_only_publish_is_left_out(self):
        every = [task["task_id"] for task in anshin_tasks.tasks(self.spec)]
        without = [task["task_id"] for task in anshin_tasks.tasks(self.spec, publish=False)]
        self.assertIn("publish", every)
        self.assertEqual(without, [task_id for task_id in every if task_id != "publish"])

    def test_a_young_lakehouse_skips_scoring_but_no_other_task(self):
        self.assertEqual(anshin_tasks.outcome(self.spec, self.task("score"), 65)[0], anshin_tasks.SKIP)
        self.assertEqual(anshin_tasks.outcome(self.spec, self.task("features"), 65)[0], anshin_tasks.FAIL)
        self.assertEqual(anshin_tasks.outcome(self.spec, self.task("score"), 0), (anshin_tasks.SUCCESS, "done"))

    def test_a_missing_export_or_a_busy_lakehouse_is_retried_and_a_bad_call_is_not(self):
        ingest = self.task("ingest")
        self.assertEqual(anshin_tasks.outcome(self.spec, ingest, 66)[0], anshin_tasks.RETRY)
        self.assertEqual(anshin_tasks.outcome(self.spec, ingest, 75)[0], anshin_tasks.RETRY)
        for exit_code in (64, 65, 78):
            self.assertEqual(anshin_tasks.outcome(self.spec, ingest, exit_code)[0], anshin_tasks.FAIL, exit_code)
        # A JVM killed by the kernel (128 + 9) is retried: every step is idempotent.
        self.assertEqual(anshin_tasks.outcome(self.spec, ingest, 137)[0], anshin_tasks.RETRY)


if __name__ == "__main__":
    unittest.main()
