# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# bundle --ca nosuch (without --with-intermediate): --ca is silently ignored today. A flag that does nothing here
# should be a usage error ("--ca needs --with-intermediate"), like any other unknown/unusable argument.
DESC='bundle: --ca nosuch without --with-intermediate'
CMD=(--pki "$PKI" bundle --ca nosuch)
EXPECT_EXIT=2
EXPECT_MSG='--with-intermediate'
