// Module entry: each binding file registers its own functions.
#include <napi.h>

#include "../core/observables.hpp"

namespace rdm2addon {
void registerAnalyze(Napi::Env env, Napi::Object exports);
void registerMonitor(Napi::Env env, Napi::Object exports);
void registerBench(Napi::Env env, Napi::Object exports);
void registerIsa(Napi::Env env, Napi::Object exports);
}  // namespace rdm2addon

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  rdm2addon::registerAnalyze(env, exports);
  rdm2addon::registerMonitor(env, exports);
  rdm2addon::registerBench(env, exports);
  rdm2addon::registerIsa(env, exports);
  // The loader checks these against lib/observables.ts, so a stale build cannot mislabel columns.
  Napi::Array observables = Napi::Array::New(env, rdm2::kObservableCount);
  for (uint32_t f = 0; f < rdm2::kObservableCount; ++f) observables.Set(f, rdm2::kObservableFields[f].name);
  exports.Set("observables", observables);
  return exports;
}

NODE_API_MODULE(rdm2, Init)
