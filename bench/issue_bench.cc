// Micro-benchmarks of the PKI engine's hot paths.
#include <benchmark/benchmark.h>

#include <ctime>

#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

#include "mqttpki/fleet.h"
#include "mqttpki/issuer.h"
#include "mqttpki/key.h"
#include "mqttpki/pki_dir.h"
#include "mqttpki/signer.h"

namespace {

void BM_GenerateP256(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(mqttpki::PrivateKey::Generate(mqttpki::KeyType::kEcP256));
}
BENCHMARK(BM_GenerateP256);

void BM_IssueServerP256(benchmark::State& state) {
  using namespace mqttpki;
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  PrivateKey root_key = std::move(PrivateKey::Generate(KeyType::kEcP256).value());
  IssueOptions ro;
  ro.profile = Profile::kRoot;
  ro.subject.common_name = "Bench Root";
  ro.days = 3650;
  ro.now = now;
  std::unique_ptr<Signer> root_signer = std::move(KeySigner(root_key).value());
  Certificate root = Issue(ro, root_key.get(), nullptr, *root_signer).value().certificate;
  PrivateKey leaf_key = std::move(PrivateKey::Generate(KeyType::kEcP256).value());
  IssueOptions lo;
  lo.profile = Profile::kServer;
  lo.subject.common_name = "mqtt.example.com";
  lo.days = 365;
  lo.now = now;
  for (auto _ : state) benchmark::DoNotOptimize(Issue(lo, leaf_key.get(), &root, *root_signer));
}
BENCHMARK(BM_IssueServerP256);

// The arithmetic a device costs at the least: one P-256 key generation and one ECDSA signature.
void BM_P256KeygenRaw(benchmark::State& state) {
  EC_KEY* k = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  for (auto _ : state) benchmark::DoNotOptimize(EC_KEY_generate_key(k));
  EC_KEY_free(k);
}
BENCHMARK(BM_P256KeygenRaw);

void BM_P256SignRaw(benchmark::State& state) {
  EC_KEY* k = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  EC_KEY_generate_key(k);
  unsigned char md[32] = {1, 2, 3};
  for (auto _ : state) ECDSA_SIG_free(ECDSA_do_sign(md, 32, k));
  EC_KEY_free(k);
}
BENCHMARK(BM_P256SignRaw);

// One device: key, certificate, PEM, record (no I/O).
void BM_DeviceIssue(benchmark::State& state) {
  using namespace mqttpki;
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  PrivateKey key = std::move(PrivateKey::Generate(KeyType::kEcP256).value());
  IssueOptions ro;
  ro.profile = Profile::kRoot;
  ro.subject.common_name = "Bench Device CA";
  ro.days = 3650;
  ro.now = now;
  Certificate cert = Issue(ro, key.get(), nullptr, *KeySigner(key).value()).value().certificate;
  CaMaterial ca = std::move(CaMaterial::InMemory("device-ca", cert, std::move(key), {}).value());
  DeviceIssuer::Options o;
  o.now = now;
  o.subject_base.organization = "Bench";
  std::vector<std::string> warnings;
  auto issuer = std::move(DeviceIssuer::Create(ca, o, warnings).value());
  auto worker = std::move(issuer->NewWorker().value());
  DeviceSpec spec;
  spec.id = "dev-000001";
  for (auto _ : state) benchmark::DoNotOptimize(worker->Issue(spec));
}
BENCHMARK(BM_DeviceIssue);

}  // namespace

BENCHMARK_MAIN();
