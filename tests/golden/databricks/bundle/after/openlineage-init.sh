#!/bin/bash
# OpenLineage for Databricks: a cluster-scoped init script written by lineage-setup.
# It follows OpenLineage's integration/spark/databricks/open-lineage-init-script.sh:
# copy the staged openlineage-spark jar onto the driver's classpath and register the
# listener in a driver conf. The endpoint, namespace and key are in the cluster's
# Spark config, not here. DBCEventLoggingListener stays first: without it the Spark
# UI of a terminated cluster becomes inaccessible.
set -euo pipefail

STAGE_DIR=/dbfs/databricks/openlineage
JAR_PATTERN='openlineage-spark_*.jar'
DRIVER_JARS=/mnt/driver-daemon/jars
DRIVER_CONF=/databricks/driver/conf/openlineage-spark-driver-defaults.conf

fail() {
  echo "OpenLineage init script: $*" >&2
  exit 1
}

[[ -d "$STAGE_DIR" ]] || fail "the folder $STAGE_DIR does not exist; upload the openlineage-spark jar there first"

jars=()
for jar in "$STAGE_DIR"/*; do
  # $JAR_PATTERN is unquoted on purpose: it is a glob such as openlineage-spark_*.jar
  # shellcheck disable=SC2053
  if [[ -f "$jar" && "${jar##*/}" == $JAR_PATTERN ]]; then
    jars+=("$jar")
  fi
done
if (( ${#jars[@]} == 0 )); then
  fail "no file matches $STAGE_DIR/$JAR_PATTERN; upload the openlineage-spark jar there first"
fi
if (( ${#jars[@]} > 1 )); then
  fail "${#jars[@]} files match $STAGE_DIR/$JAR_PATTERN (two listener versions would conflict); keep one: ${jars[*]}"
fi

mkdir -p "$DRIVER_JARS"
cp -f -- "${jars[0]}" "$DRIVER_JARS/" || fail "cannot copy ${jars[0]} to $DRIVER_JARS"

cat > "$DRIVER_CONF" <<'OPENLINEAGE_EOF'
[driver] {
  "spark.extraListeners" = "com.databricks.backend.daemon.driver.DBCEventLoggingListener,io.openlineage.spark.agent.OpenLineageSparkListener"
}
OPENLINEAGE_EOF
echo "OpenLineage init script: installed ${jars[0]##*/} and the listener"
