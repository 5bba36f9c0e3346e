"""segpipe, once a day: ingest (optional) -> features -> train (when due) -> segment -> export -> report.

One BashOperator task runs `scripts/segpipe pipeline --as-of {{ ds }}`: ds is the day the run's data
interval covers, which is the snapshot date. Why one task and not one per job (see docs/running.md):
the jobs share one Spark session, the pipeline decides from the model registry whether training is
due (segpipe.pipeline.train-every), and every job replaces exactly its own date's outputs, so a retry
of the whole task is safe.

Settings come from Airflow Variables, read when the task runs (never when the DAG file is parsed):
  segpipe_home    the segpipe checkout with the built jar       (default /opt/segpipe)
  spark_home      a Spark 3.5 / Scala 2.12 distribution          (default /opt/spark)
  segpipe_master  spark-submit --master                          (default yarn)
  segpipe_config  the segpipe config file, relative to segpipe_home or absolute (default conf/cluster.conf)
  segpipe_source  optional: a landing folder with one subfolder per day (<source>/<ds>) for ingest;
                  unset, ingest is skipped and the events table is used as another process loaded it
  segpipe_mapping source mapping for ingest                      (default generator)
  segpipe_driver_ip the Airflow worker's address the cluster's executors can reach (default: the
                  first address of `hostname -I`). scripts/segpipe binds the driver to 127.0.0.1 when
                  SPARK_LOCAL_IP is unset, which only a local master can use.

Exit codes: 0 success; 2 a problem the message says how to fix (config, arguments, input); 1 anything
else. Either fails the task; the log ends with the pipeline's table of what ran and, on failure, the
command that resumes from the failed job.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow import DAG

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
except ImportError:  # Airflow 2.4+
    from airflow.operators.bash import BashOperator

PIPELINE = (
    "set -euo pipefail; "
    "export SPARK_LOCAL_IP=\"{{ var.value.get('segpipe_driver_ip', '') }}\"; "
    "[ -n \"$SPARK_LOCAL_IP\" ] || export SPARK_LOCAL_IP=\"$(hostname -I | cut -d' ' -f1)\"; "
    "cd \"{{ var.value.get('segpipe_home', '/opt/segpipe') }}\"; "
    "scripts/segpipe pipeline --as-of {{ ds }}"
    " --config \"{{ var.value.get('segpipe_config', 'conf/cluster.conf') }}\""
    " --master \"{{ var.value.get('segpipe_master', 'yarn') }}\""
    "{% if var.value.get('segpipe_source', '') %}"
    " --source \"{{ var.value.get('segpipe_source') }}/{{ ds }}\""
    " --mapping \"{{ var.value.get('segpipe_mapping', 'generator') }}\""
    "{% endif %}"
)

with DAG(
    dag_id="segpipe_daily",
    description="segpipe customer segmentation, one snapshot per day",
    schedule="30 2 * * *",  # 02:30 UTC, for the day before
    start_date=datetime(2024, 1, 1),
    catchup=False,  # backfill with `scripts/segpipe pipeline --from ... --to ...` (one Spark session)
    max_active_runs=1,
    default_args={
        "owner": "data-engineering",
        "retries": 2,
        "retry_delay": timedelta(minutes=15),
        # Dates in order: with train-every = week or month, a date trains when its period has no model yet.
        "depends_on_past": True,
        "execution_timeout": timedelta(hours=8),
    },
    tags=["segpipe", "spark"],
) as dag:
    BashOperator(
        task_id="pipeline",
        bash_command=PIPELINE,
        env={"SPARK_HOME": "{{ var.value.get('spark_home', '/opt/spark') }}"},
        append_env=True,
    )
