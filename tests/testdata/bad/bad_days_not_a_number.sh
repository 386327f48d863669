# shellcheck shell=bash
DESC="crl: --days abc"
CMD=(--pki "$PKI" crl --days abc)
EXPECT_EXIT=2
EXPECT_MSG="--days must be a positive whole number of days, not 'abc'"
