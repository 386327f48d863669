# shellcheck shell=bash disable=SC2034  # the variables are read by tests/e2e/test_bad_corpus.sh
# deploy --target-dir with a double quote: emqx.conf quotes the paths ("..."), so a '"' ends the string early and
# the rest becomes configuration. Must be refused (or escaped; refusing is simpler).
DESC='deploy emqx: --target-dir with a double quote (config injection)'
CMD=(--pki "$PKI" deploy mqtt-server-1 --broker emqx --out "$WORK/broker" --target-dir '/opt/emqx/etc/certs"x')
EXPECT_EXIT=2
EXPECT_MSG='--target-dir'
