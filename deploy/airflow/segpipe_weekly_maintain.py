"""segpipe, once a week: the maintain job keeps the lake small and fast.

For every Delta table under the lake root it deletes snapshots older than segpipe.retention.snapshot-days
before --as-of (0 keeps all), compacts small files (OPTIMIZE) and vacuums files older than
segpipe.retention.vacuum-hours (default 168) that no kept version needs. One SparkSubmitOperator task
submits the bundle jar (io.segpipe.jobs.maintain.MaintainJob) through the same Spark connection
(segpipe_spark) and reads the same Airflow Variables as segpipe_daily when the task runs: segpipe_bundle,
segpipe_config_file or segpipe_driver_config, and the sizing ones. maintain reads no secrets.

--as-of is the run's own date (data_interval_end): the run of Sunday 05:00 UTC keeps the snapshots of the
retention window before that Sunday, as `scripts/segpipe maintain` without --as-of would that day. Sunday
05:00 UTC, after the daily run of 02:30 has finished: maintain and the pipeline should not write the same
tables at once (Delta would refuse one commit, and the refused job says so and can simply be re-run).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

try:  # Airflow 3
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.4+
    from airflow import DAG

# Jinja expressions, rendered when the task runs.
AS_OF = "(data_interval_end | ds)"
CONFIG_FILE = "var.value.get('segpipe_config_file', 'hdfs:///apps/segpipe/conf/cluster.conf')"
DRIVER_CONFIG = "var.value.get('segpipe_driver_config', '')"

with DAG(
    dag_id="segpipe_weekly_maintain",
    description="segpipe lake upkeep: snapshot retention, compaction, vacuum",
    doc_md=__doc__,
    schedule="0 5 * * 0",  # Sunday 05:00 UTC
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "data-engineering", "retries": 1, "retry_delay": timedelta(minutes=30),
                  "execution_timeout": timedelta(hours=8)},
    tags=["segpipe", "spark"],
) as dag:
    SparkSubmitOperator(
        task_id="maintain",
        conn_id="segpipe_spark",
        application="{{ var.value.get('segpipe_bundle', 'hdfs:///apps/segpipe/segpipe-bundle.jar') }}",
        java_class="io.segpipe.jobs.maintain.MaintainJob",
        name="segpipe-maintain-{{ " + AS_OF + " }}",
        files="{{ '' if " + DRIVER_CONFIG + " else " + CONFIG_FILE + " }}",
        application_args=[
            "--as-of", "{{ " + AS_OF + " }}",
            "--config", "{{ " + DRIVER_CONFIG + " or " + CONFIG_FILE + ".rsplit('/', 1)[-1] }}",
        ],
        conf={
            # Airflow retries the task (above); YARN should not start a failed driver again by itself.
            "spark.yarn.maxAppAttempts": "1",
            "spark.ui.showConsoleProgress": "false",
            "spark.executor.instances": "{{ var.value.get('segpipe_executors', '8') }}",
            "spark.executor.cores": "{{ var.value.get('segpipe_executor_cores', '4') }}",
            "spark.executor.memory": "{{ var.value.get('segpipe_executor_memory', '8g') }}",
            "spark.driver.memory": "{{ var.value.get('segpipe_driver_memory', '4g') }}",
        },
    )
