# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# deploy --broker hivemq: the PKCS#12 keystore does not fit; nothing may be left behind (no partial keystore).
DESC='deploy hivemq: --out is a full file system'
make_input() { full_dir "$WORK/full"; }
CMD=(--pki "$PKI" deploy mqtt-server-1 --broker hivemq --out "$WORK/full")
EXPECT_EXIT=3
EXPECT_MSG='No space left on device'
