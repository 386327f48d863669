// Micro-benchmarks of the PKI engine's hot paths.
#include <benchmark/benchmark.h>

#include <ctime>

#include "mqttpki/issuer.h"
#include "mqttpki/key.h"

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
  Certificate root = Issue(ro, root_key.get(), nullptr, root_key).value().certificate;
  PrivateKey leaf_key = std::move(PrivateKey::Generate(KeyType::kEcP256).value());
  IssueOptions lo;
  lo.profile = Profile::kServer;
  lo.subject.common_name = "mqtt.example.com";
  lo.days = 365;
  lo.now = now;
  for (auto _ : state) benchmark::DoNotOptimize(Issue(lo, leaf_key.get(), &root, root_key));
}
BENCHMARK(BM_IssueServerP256);

}  // namespace

BENCHMARK_MAIN();
