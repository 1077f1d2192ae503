"""Splink's Spark backend, for linking more records than one machine's DuckDB does in time.

Imported only when a command asks for `--engine spark` (engine.running_on), so nothing else
pays for pyspark or starts a JVM. The session is Spark's own: `spark-submit`, the
PYSPARK_SUBMIT_ARGS variable or spark-defaults.conf say where it runs (docs/deployment.md);
without any of them it runs in this process's JVM on every core (`local[*]`).

Splink's similarity functions (Jaro-Winkler, Damerau-Levenshtein) are Scala UDFs in a jar that
ships inside the splink package: the session adds it, and Spark sends it to the executors, so
nothing is downloaded. Everything Splink runs is Spark SQL and those UDFs: the executors need
a JVM with Spark, not Python or joinedup.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from joinedup.linkage.engine import EngineUnavailable

if TYPE_CHECKING:
    from pyspark.sql import SparkSession
    from splink import SparkAPI

# Spark 4 runs on Java 17 or later.
JAVA_NEEDED = 17
INSTALL_JAVA = (
    "install Java 17 or later (on Debian: apt-get install openjdk-17-jre-headless) and put "
    "it on the PATH, or set JAVA_HOME to it"
)


def start() -> SparkSession:
    """The Spark session to link with, with Splink's similarity functions added.

    Raises EngineUnavailable, saying what to install, without pyspark or a Java it can run on.
    """
    _check_java()
    if importlib.util.find_spec("pyspark") is None:
        raise EngineUnavailable(
            "The Spark engine needs pyspark, which is not installed here: install joinedup's "
            "dependencies as uv.lock pins them (`make install`), or run with --engine duckdb."
        )
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = SparkSession.builder.appName("joinedup linkage").getOrCreate()
    # ADD JAR puts the UDFs on the driver's classpath for this session and ships them to every
    # executor; SparkAPI then registers them as SQL functions.
    session.sql(f"ADD JAR '{similarity_jar_location()}'")
    context = session.sparkContext
    if str(context.master).startswith("local") and not context.getConf().contains(
        "spark.sql.shuffle.partitions"
    ):
        # Spark's 200 shuffle partitions suit a cluster; on one machine most of each task is
        # overhead. Not one per core, though: Splink halves the number for its pair tables,
        # and with one partition 44,148 records ran training out of a 4 GB heap.
        session.conf.set("spark.sql.shuffle.partitions", str(8 * context.defaultParallelism))
    return session


def database_api(session: SparkSession) -> SparkAPI:
    """A Splink database API on the session, for one linker."""
    from splink import SparkAPI

    # With a checkpoint directory (spark.checkpoint.dir), Splink writes its intermediate
    # tables there as Parquet, the sturdier choice for large runs; without one it caches them
    # in the executors' memory, spilling to disk.
    checkpoints = not session.sparkContext._jsc.sc().getCheckpointDir().isEmpty()
    return SparkAPI(  # type: ignore[no-untyped-call]
        spark_session=session, break_lineage_method="parquet" if checkpoints else "persist"
    )


def release(session: SparkSession) -> None:
    """Drop what the run's linkers cached; the session stays for the next command in-process."""
    session.catalog.clearCache()


def _check_java() -> None:
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if java is None or not Path(java).is_file():
        where = f"there is no java in JAVA_HOME ({home})" if home else "java is not on the PATH"
        raise EngineUnavailable(f"The Spark engine needs Java, and {where}: {INSTALL_JAVA}.")
    try:
        said = subprocess.run(  # noqa: S603 (the java Spark itself would run)
            [java, "-version"], capture_output=True, text=True, timeout=60, check=False
        ).stderr
    except (OSError, subprocess.TimeoutExpired) as error:
        raise EngineUnavailable(f"{java} does not run ({error}): {INSTALL_JAVA}.") from None
    version = re.search(r'version "(?:1\.)?(\d+)', said)
    if version is None or int(version[1]) < JAVA_NEEDED:
        found = f"Java {version[1]}" if version else "a Java whose version it does not say"
        raise EngineUnavailable(
            f"The Spark engine needs Java {JAVA_NEEDED} or later, and {java} is {found}: "
            f"{INSTALL_JAVA}."
        )
