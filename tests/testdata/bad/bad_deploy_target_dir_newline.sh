# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# deploy --target-dir with newlines: the value is written into mosquitto.conf as is, so it can add lines of its own
# (here an open plain-text listener with anonymous access). A path with a control character must be refused.
DESC='deploy mosquitto: --target-dir with newlines (config injection)'
CMD=(--pki "$PKI" deploy mqtt-server-1 --broker mosquitto --out "$WORK/broker"
     --target-dir $'/etc/mosquitto/certs\nlistener 1883\nallow_anonymous true')
EXPECT_EXIT=2
EXPECT_MSG='--target-dir'
