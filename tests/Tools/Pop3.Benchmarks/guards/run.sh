#!/usr/bin/env bash
# Cost of the shared guess counters in PostgreSQL (migration 4), measured with pgbench against a database that has
# the schema (start the server against it once: it migrates at start-up):
#   tests/Tools/Pop3.Benchmarks/guards/run.sh "host=127.0.0.1 port=5432 user=postgres dbname=pop3" [seconds] [clients]
# Prints, per workload and run, transactions per second (each one guess: begin + end, or begin + fail) and the
# average latency per guess. Three runs each, interleaved, so both see the same noise. The extended protocol with
# unnamed statements is what Npgsql sends, and works through PgBouncer in transaction mode (point the connection
# string at PgBouncer to measure it).
set -euo pipefail
conninfo=${1:?a libpq connection string}
seconds=${2:-10}
clients=${3:-4}
here=$(dirname "$0")
pgbench=$(command -v pgbench || echo "$(pg_config --bindir)/pgbench")
for run in 1 2 3; do
    for workload in login guessing; do
        psql "$conninfo" -qc "TRUNCATE pop3_guess_windows"
        result=$("$pgbench" -n -M extended -T "$seconds" -c "$clients" -j "$clients" -f "$here/$workload.sql" "$conninfo" 2>/dev/null)
        tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' <<<"$result")
        latency=$(sed -n 's/^latency average = \([0-9.]*\) ms/\1/p' <<<"$result")
        rows=$(psql "$conninfo" -tAc "SELECT count(*) FROM pop3_guess_windows")
        echo "run $run $workload: $tps guesses/s, $latency ms per guess, $rows rows left"
    done
done
