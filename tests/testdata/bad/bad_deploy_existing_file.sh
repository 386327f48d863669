# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# deploy --out DIR where DIR already holds the operator's own mosquitto.conf: refused without --force, and none of
# the other files (bundle, chain, key) may be written either.
DESC='deploy: the output directory already has a mosquitto.conf (no --force)'
make_input() { mkdir -p "$WORK/broker" && echo '# my own settings' >"$WORK/broker/mosquitto.conf"; }
CMD=(--pki "$PKI" deploy mqtt-server-1 --broker mosquitto --out "$WORK/broker")
EXPECT_EXIT=3
EXPECT_MSG='mosquitto.conf exists; use --force to overwrite it'
