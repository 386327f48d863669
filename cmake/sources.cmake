# The engine's sources, defined once: the main build (mqttpki_core), the sanitizer build and the fuzz build
# (fuzz/CMakeLists.txt) all compile this list. Paths are relative to the repository's top.
set(MQTTPKI_CORE_SOURCES
  src/ossl/error.cc
  src/pki/result.cc
  src/pki/fs.cc
  src/pki/key.cc
  src/pki/name.cc
  src/pki/certificate.cc
  src/pki/issuer.cc
  src/pki/verify.cc
  src/pki/passphrase.cc
  src/pki/pki_dir.cc
  src/net/mqtt.cc
  src/net/probe.cc
  src/pki/deploy.cc
  src/pki/crl.cc
  src/pki/import.cc
  src/pki/fleet.cc
  src/pki/fleet_batch.cc
  src/pki/tar.cc
  src/store/sqlite_store.cc
  src/store/record.cc
  src/store/inventory.cc
  src/ops/issue.cc
  src/ops/lifecycle.cc
)
