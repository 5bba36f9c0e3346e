"""segpipe, once a week: `scripts/segpipe maintain` keeps the lake small and fast.

For every Delta table under the lake root it deletes snapshots older than segpipe.retention.snapshot-days
before the run's date (0 keeps all), compacts small files (OPTIMIZE) and vacuums files older than
segpipe.retention.vacuum-hours (default 168) that no kept version needs. It reads the same Airflow
Variables as segpipe_daily (segpipe_home, spark_home, segpipe_master, segpipe_config,
segpipe_driver_ip) when the task runs. Sunday 05:00 UTC, after the daily run of 02:30 has finished:
maintain and the pipeline should not write the same tables at once (Delta would refuse one commit,
and the refused job says so and can simply be re-run).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow import DAG

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
except ImportError:  # Airflow 2.4+
    from airflow.operators.bash import BashOperator

MAINTAIN = (
    "set -euo pipefail; "
    "export SPARK_LOCAL_IP=\"{{ var.value.get('segpipe_driver_ip', '') }}\"; "
    "[ -n \"$SPARK_LOCAL_IP\" ] || export SPARK_LOCAL_IP=\"$(hostname -I | cut -d' ' -f1)\"; "
    "cd \"{{ var.value.get('segpipe_home', '/opt/segpipe') }}\"; "
    "scripts/segpipe maintain --as-of {{ ds }}"
    " --config \"{{ var.value.get('segpipe_config', 'conf/cluster.conf') }}\""
    " --master \"{{ var.value.get('segpipe_master', 'yarn') }}\""
)

with DAG(
    dag_id="segpipe_weekly_maintain",
    description="segpipe lake upkeep: snapshot retention, compaction, vacuum",
    schedule="0 5 * * 0",
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "data-engineering", "retries": 1, "retry_delay": timedelta(minutes=30),
                  "execution_timeout": timedelta(hours=8)},
    tags=["segpipe", "spark"],
) as dag:
    BashOperator(
        task_id="maintain",
        bash_command=MAINTAIN,
        env={"SPARK_HOME": "{{ var.value.get('spark_home', '/opt/spark') }}"},
        append_env=True,
    )
