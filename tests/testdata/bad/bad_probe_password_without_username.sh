# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# probe --password-file with MQTT 3.1.1 and no --username: 3.1.1 sends a password only with a user name. The
# password itself must not be printed.
DESC='probe: --password-file without --username (MQTT 3.1.1)'
make_input() { mk_passfile "$WORK/mqtt-pass.txt" 's3cret-mqtt-password'; }
CMD=(--pki "$PKI" probe 127.0.0.1:1 --password-file "$WORK/mqtt-pass.txt" --mqtt 3.1.1)
EXPECT_EXIT=2
EXPECT_MSG='--username'
EXPECT_MSG_NOT=('s3cret-mqtt-password')
