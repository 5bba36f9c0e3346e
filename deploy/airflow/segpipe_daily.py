r"""segpipe, once a day: ingest (optional) -> features -> train (when due) -> segment -> export -> report.

One SparkSubmitOperator task submits the built bundle jar (io.segpipe.jobs.pipeline.PipelineJob) to the
cluster named by an Airflow connection: no checkout, no build on the Airflow worker, which needs only a
Spark 3.5 client (`spark-submit` on its PATH; HADOOP_CONF_DIR for YARN) and the Apache Spark provider
(apache-airflow-providers-apache-spark). Why one task and not one per job (see docs/running.md): the jobs
share one Spark session, the pipeline decides from the model registry whether training is due
(segpipe.pipeline.train-every), and every job replaces exactly its own date's outputs, so a retry of the
whole task is safe.

The snapshot date (--as-of) is the day before the run's scheduled time: the run of 02:30 UTC on
2025-01-15 computes 2025-01-14. That is {{ ds }} under Airflow 2's default timetable for a cron schedule
(CronDataIntervalTimetable); written as data_interval_end minus one day it stays the day before under
Airflow 3's default (CronTriggerTimetable), where ds would be the run's own, unfinished day.

The Spark connection `segpipe_spark` (conn_id below) holds the master, the deploy mode and the queue, e.g.
  airflow connections add segpipe_spark --conn-type spark --conn-host yarn \
    --conn-extra '{"deploy-mode": "cluster", "queue": "analytics"}'
The DAG is written for cluster deploy mode: the driver runs on the cluster and the config file travels
with --files.

Settings come from Airflow Variables, read when the task runs (never when the DAG file is parsed):
  segpipe_bundle       the bundle jar: a path or URI the cluster can read, e.g. on HDFS, or local:///... in
                       an image (default hdfs:///apps/segpipe/segpipe-bundle.jar)
  segpipe_config_file  the segpipe config, shipped with --files; the job reads it by its base name in the
                       driver's working directory (default hdfs:///apps/segpipe/conf/cluster.conf)
  segpipe_driver_config optional: a config file already where the driver runs (e.g. the image's
                       /opt/segpipe/conf/cluster.conf, or a path on this worker in client mode); when set it
                       is passed as --config and nothing is shipped
  segpipe_source       optional: a landing folder with one subfolder per day (<source>/<as-of>) for ingest;
                       unset, ingest is skipped and the events table is used as another process loaded it
  segpipe_mapping      source mapping for ingest (default generator)
  segpipe_executors, segpipe_executor_cores, segpipe_executor_memory, segpipe_driver_memory
                       sizing (defaults 8, 4, 8g, 4g)

Secrets reach the driver as environment variables, never as literals in this file: each SEGPIPE_* variable
below takes its value, when the task runs, from the Airflow Variable named next to it (or the secrets
backend that serves Variables). Their names contain "secret" or "password", so Airflow masks the values
in task logs and rendered templates. An unset Variable sets nothing. The provider passes env_vars on YARN
as spark.yarn.appMasterEnv.* (the driver's container in cluster mode) and to spark-submit's own
environment (the driver in client mode), on Kubernetes as spark.kubernetes.driverEnv.*. The jobs read
these on the driver only, so executors need none of them.

Exit codes: 0 success; 2 a problem the message says how to fix (config, arguments, input); 1 anything
else. In cluster mode spark-submit reports only success or failure; the driver's log (yarn logs
-applicationId ...) ends with the pipeline's table of what ran and, on failure, the command that resumes
from the failed job.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

try:  # Airflow 3
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.4+
    from airflow import DAG

# Jinja expressions, rendered when the task runs.
AS_OF = "((data_interval_end - macros.timedelta(days=1)) | ds)"
CONFIG_FILE = "var.value.get('segpipe_config_file', 'hdfs:///apps/segpipe/conf/cluster.conf')"
DRIVER_CONFIG = "var.value.get('segpipe_driver_config', '')"
SOURCE = "var.value.get('segpipe_source', '')"

# The SEGPIPE_* secrets the pipeline's driver may read, each from the Airflow Variable named here. Which
# are used depends on the config: the audience salt when segpipe.export.pseudonymise.enabled, the
# PostgreSQL password when segpipe.export.postgres.enabled, the erasure key once `forget` has run (ingest
# then needs it).
SECRET_VARIABLES = {
    "SEGPIPE_AUDIENCE_SALT": "segpipe_audience_salt_secret",
    "SEGPIPE_PG_PASSWORD": "segpipe_pg_password",
    "SEGPIPE_ERASURE_KEY": "segpipe_erasure_key_secret",
}


class SegpipeSubmitOperator(SparkSubmitOperator):
    """SparkSubmitOperator that leaves out what rendered empty: optional job arguments and unset secrets."""

    def execute(self, context):
        self.application_args = [arg for arg in self.application_args or [] if arg != ""]
        self.env_vars = {name: value for name, value in (self.env_vars or {}).items() if value != ""}
        return super().execute(context)


with DAG(
    dag_id="segpipe_daily",
    description="segpipe customer segmentation, one snapshot per day",
    doc_md=__doc__,
    schedule="30 2 * * *",  # 02:30 UTC, for the day before
    start_date=datetime(2024, 1, 1),
    catchup=False,  # backfill with the pipeline's own --from ... --to ... (one Spark session)
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
    SegpipeSubmitOperator(
        task_id="pipeline",
        conn_id="segpipe_spark",
        application="{{ var.value.get('segpipe_bundle', 'hdfs:///apps/segpipe/segpipe-bundle.jar') }}",
        java_class="io.segpipe.jobs.pipeline.PipelineJob",
        name="segpipe-pipeline-{{ " + AS_OF + " }}",
        files="{{ '' if " + DRIVER_CONFIG + " else " + CONFIG_FILE + " }}",
        application_args=[
            "--as-of", "{{ " + AS_OF + " }}",
            "--config", "{{ " + DRIVER_CONFIG + " or " + CONFIG_FILE + ".rsplit('/', 1)[-1] }}",
            "{{ '--source' if " + SOURCE + " else '' }}",
            "{{ (" + SOURCE + " ~ '/' ~ " + AS_OF + ") if " + SOURCE + " else '' }}",
            "{{ '--mapping' if " + SOURCE + " else '' }}",
            "{{ var.value.get('segpipe_mapping', 'generator') if " + SOURCE + " else '' }}",
        ],
        env_vars={name: "{{ var.value.get('%s', '') }}" % variable for name, variable in SECRET_VARIABLES.items()},
        conf={
            # Airflow retries the task (above); YARN should not start a failed driver again by itself.
            "spark.yarn.maxAppAttempts": "1",
            # The console progress bar litters a scheduler's log.
            "spark.ui.showConsoleProgress": "false",
            "spark.executor.instances": "{{ var.value.get('segpipe_executors', '8') }}",
            "spark.executor.cores": "{{ var.value.get('segpipe_executor_cores', '4') }}",
            "spark.executor.memory": "{{ var.value.get('segpipe_executor_memory', '8g') }}",
            "spark.driver.memory": "{{ var.value.get('segpipe_driver_memory', '4g') }}",
        },
    )
