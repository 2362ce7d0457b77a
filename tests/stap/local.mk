# Tapset tests by stap pass (parseok, buildok, runok) and the harness.
TESTS += tests/stap/sched-buildok.sh tests/stap/sched-runok.sh
EXTRA_DIST += tests/stap/harness tests/stap/sched-buildok.sh tests/stap/sched-runok.sh
