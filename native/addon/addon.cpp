// Module entry: each binding file registers its own functions.
#include <napi.h>

namespace rdm2addon {
void registerAnalyze(Napi::Env env, Napi::Object exports);
void registerMonitor(Napi::Env env, Napi::Object exports);
void registerBench(Napi::Env env, Napi::Object exports);
void registerIsa(Napi::Env env, Napi::Object exports);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  rdm2addon::registerAnalyze(env, exports);
  rdm2addon::registerMonitor(env, exports);
  rdm2addon::registerBench(env, exports);
  rdm2addon::registerIsa(env, exports);
  exports.Set("coreVersion", Napi::String::New(env, "0.1.0"));
  return exports;
}

NODE_API_MODULE(rdm2, Init)
