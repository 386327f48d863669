# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# $MQTTPKI_LOCK_TIMEOUT is not a number of seconds: the command refuses before it touches the PKI, and the error
# names the variable (the library refers to the setting; the CLI words it as the environment variable).
DESC='server issue: MQTTPKI_LOCK_TIMEOUT=soon'
CMD=(--pki "$PKI" server issue s1 --san s1.example.com)
ENV=(MQTTPKI_LOCK_TIMEOUT=soon)
EXPECT_EXIT=2
EXPECT_MSG="invalid MQTTPKI_LOCK_TIMEOUT 'soon': a whole number of seconds, 0 to 86400"
