// Adopting a PKI built by hand with the tutorial's openssl commands (its layout and file names).
#ifndef MQTTPKI_IMPORT_H_
#define MQTTPKI_IMPORT_H_

#include <cstdint>
#include <string>

#include "mqttpki/fs.h"
#include "mqttpki/passphrase.h"
#include "mqttpki/pki_dir.h"
#include "mqttpki/result.h"

namespace mqttpki {

// ImportTutorialPki reads |source| (e.g. the tutorial's ecpki/: root-ca/, server-ca/, mqtt-server-N/, each with
// private/*.key.pem, certs/*.cert.pem, csr/*.csr.pem, and ca-bundle.pem) and stages the same PKI in |dest|'s
// layout: the self-signed CA becomes root-ca, every other directory keeps its name, keys are copied byte for byte
// (0400), chains are rebuilt leaf first, and every certificate is recorded. It checks before writing anything
// that each key matches its certificate and each certificate chains to the root. |source| is never modified.
Status ImportTutorialPki(const std::string& source, const PkiDir& dest, int64_t now, PassphraseProvider& pass,
                         FileTransaction& tx, Report& report);

}  // namespace mqttpki

#endif  // MQTTPKI_IMPORT_H_
