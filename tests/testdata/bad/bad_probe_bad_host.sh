# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# probe 'bad host!!:8883': the HOST is invalid. The message must name the HOST argument; it talks about --name today,
# a flag that was not given (--name only defaults to HOST).
DESC="probe: HOST 'bad host!!' (not a host name)"
CMD=(--pki "$PKI" probe 'bad host!!:8883' --timeout 2)
EXPECT_EXIT=2
EXPECT_MSG="'bad host!!'"
EXPECT_MSG_NOT=('--name')
