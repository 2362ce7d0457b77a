# frontend/serve.mk: healthtap serve (HTTP: /metrics, /api/v1, /healthz),
# its tests (tests/serve/), docs and the Prometheus rules.
healthtap_SOURCES += frontend/cmd_serve.c \
	frontend/serve_snap.h frontend/serve_snap.c \
	frontend/serve_render.h frontend/serve_render.c \
	frontend/serve_db.h frontend/serve_db.c \
	frontend/serve_guard.h frontend/serve_guard.c
healthtap_CPPFLAGS += $(MHD_CFLAGS)
healthtap_LDADD += $(MHD_LIBS) -lpthread

SERVE_TESTS = tests/serve/fixture.sh tests/serve/http.sh tests/serve/auth-tls.sh \
	tests/serve/hostile.sh tests/serve/rules.sh tests/serve/prometheus.sh \
	tests/serve/db.sh
TESTS += $(SERVE_TESTS)
EXTRA_DIST += $(SERVE_TESTS) tests/serve/serve-lib.sh tests/serve/hostile.py \
	tests/serve/fixtures tests/serve/golden tests/serve/rules-test.yml \
	docs/api.md docs/prometheus.md \
	scripts/prometheus/healthtap-rules.yml scripts/prometheus/prometheus.yml
dist_man_MANS += docs/healthtap-serve.1
# Opt-in soak of record + serve -d (30 min; SOAK_SECONDS): not in make
# check nor make bench.
EXTRA_DIST += bench/soak-record-serve.sh

