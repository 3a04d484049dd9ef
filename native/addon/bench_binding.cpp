// Kernel timings for bench/: gemm peak, bare dot products, a lone eigensolve.
// Short, synchronous, and only used by the benchmark harness.
#include <napi.h>

#include "../core/kernel_probes.hpp"

namespace rdm2addon {
namespace {

int64_t arg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), "expected numeric arguments");
  return info[i].As<Napi::Number>().Int64Value();
}

Napi::Value TimeGemm(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(),
                           rdm2::timeGemm(arg(info, 0), arg(info, 1), arg(info, 2), static_cast<int>(arg(info, 3))));
}
Napi::Value TimeDots(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), rdm2::timeDots(arg(info, 0), arg(info, 1), static_cast<int>(arg(info, 2))));
}
Napi::Value TimeEigenvalues(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), rdm2::timeEigenvalues(arg(info, 0), static_cast<int>(arg(info, 1))));
}

}  // namespace

void registerBench(Napi::Env env, Napi::Object exports) {
  Napi::Object bench = Napi::Object::New(env);
  bench.Set("timeGemm", Napi::Function::New(env, TimeGemm, "timeGemm"));
  bench.Set("timeDots", Napi::Function::New(env, TimeDots, "timeDots"));
  bench.Set("timeEigenvalues", Napi::Function::New(env, TimeEigenvalues, "timeEigenvalues"));
  exports.Set("bench", bench);
}

}  // namespace rdm2addon
