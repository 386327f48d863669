// Turns the OpenSSL error queue into an Error value.
#ifndef MQTTPKI_OSSL_ERROR_H_
#define MQTTPKI_OSSL_ERROR_H_

#include <string>
#include <vector>

#include "mqttpki/result.h"

namespace mqttpki::ossl {

// DrainErrors empties this thread's OpenSSL error queue and returns its entries as text, oldest first.
std::vector<std::string> DrainErrors();

// ClearErrors empties the queue without reading it (before an operation whose failure we explain ourselves).
void ClearErrors();

// OsslError makes an Error with |message| and the drained OpenSSL queue attached.
Error OsslError(ErrorCode code, std::string message);

}  // namespace mqttpki::ossl

#endif  // MQTTPKI_OSSL_ERROR_H_
