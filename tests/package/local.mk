# The Debian package (debian/) and a real Nagios running check_leak. Both
# are slow suites: they run once, in the plain make check, and skip in
# distcheck's sanitizer pass (HEALTHTAP_SKIP_SLOW=1; tests/lib.sh).
TESTS += tests/package/deb.sh tests/package/nagios.sh
EXTRA_DIST += tests/package/deb.sh tests/package/nagios.sh \
	debian/changelog debian/control debian/copyright debian/rules \
	debian/source/format debian/healthtap.docs debian/healthtap.examples \
	debian/healthtap.install debian/healthtap.links \
	debian/healthtap.postinst debian/healthtap.postrm \
	docs/nagios/healthtap.cfg scripts/healthtap-serve.service
