// Kernel timings for bench/: Eigen's gemm, matrix-vector product and eigensolve compiled
// at each instruction set level, and rdm2's own dot products and eigensolves. Short,
// synchronous, and only used by the benchmark harness. The last argument of each names the
// instruction set ("" or absent: the one in use).
#include <napi.h>

#include <string>

#include "../core/eigen_probes.hpp"
#include "../core/kernel_probes.hpp"
#include "native_errors.hpp"

namespace rdm2addon {
namespace {

int64_t arg(const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsNumber()) throw Napi::TypeError::New(info.Env(), "expected numeric arguments");
  return info[i].As<Napi::Number>().Int64Value();
}

rdm2::Isa isaArg(const Napi::CallbackInfo& info, size_t i) {
  try {
    return rdm2::resolveIsa(info.Length() > i && info[i].IsString() ? info[i].As<Napi::String>().Utf8Value()
                                                                    : std::string());
  } catch (...) {
    rethrowAsJs(info.Env());
  }
}

Napi::Value TimeGemm(const Napi::CallbackInfo& info) {
  const rdm2::Isa isa = isaArg(info, 4);
  return Napi::Number::New(info.Env(), rdm2::eigenProbes(isa).gemm(arg(info, 0), arg(info, 1), arg(info, 2),
                                                                   static_cast<int>(arg(info, 3))));
}
Napi::Value TimeGemv(const Napi::CallbackInfo& info) {
  const rdm2::Isa isa = isaArg(info, 3);
  return Napi::Number::New(info.Env(),
                           rdm2::eigenProbes(isa).gemv(arg(info, 0), arg(info, 1), static_cast<int>(arg(info, 2))));
}
Napi::Value TimeEigenEigenvalues(const Napi::CallbackInfo& info) {
  const rdm2::Isa isa = isaArg(info, 2);
  return Napi::Number::New(info.Env(),
                           rdm2::eigenProbes(isa).eigenvalues(arg(info, 0), static_cast<int>(arg(info, 1))));
}
Napi::Value TimeDots(const Napi::CallbackInfo& info) {
  const rdm2::Isa isa = isaArg(info, 3);
  return Napi::Number::New(info.Env(), rdm2::timeDots(isa, arg(info, 0), arg(info, 1), static_cast<int>(arg(info, 2))));
}
Napi::Value TimeBandDots(const Napi::CallbackInfo& info) {
  const rdm2::Isa isa = isaArg(info, 3);
  return Napi::Number::New(info.Env(),
                           rdm2::timeBandDots(isa, arg(info, 0), arg(info, 1), static_cast<int>(arg(info, 2))));
}
Napi::Value TimeBatched(const Napi::CallbackInfo& info) {
  const rdm2::Isa isa = isaArg(info, 2);
  return Napi::Number::New(info.Env(), rdm2::timeBatchedEigenvalues(isa, arg(info, 0), static_cast<int>(arg(info, 1))));
}
Napi::Value TimeSingle(const Napi::CallbackInfo& info) {
  const rdm2::Isa isa = isaArg(info, 2);
  return Napi::Number::New(info.Env(), rdm2::timeSingleEigenvalues(isa, arg(info, 0), static_cast<int>(arg(info, 1))));
}

}  // namespace

void registerBench(Napi::Env env, Napi::Object exports) {
  Napi::Object bench = Napi::Object::New(env);
  bench.Set("timeGemm", Napi::Function::New(env, TimeGemm, "timeGemm"));
  bench.Set("timeGemv", Napi::Function::New(env, TimeGemv, "timeGemv"));
  bench.Set("timeEigenEigenvalues", Napi::Function::New(env, TimeEigenEigenvalues, "timeEigenEigenvalues"));
  bench.Set("timeDots", Napi::Function::New(env, TimeDots, "timeDots"));
  bench.Set("timeBandDots", Napi::Function::New(env, TimeBandDots, "timeBandDots"));
  bench.Set("timeBatchedEigenvalues", Napi::Function::New(env, TimeBatched, "timeBatchedEigenvalues"));
  bench.Set("timeSingleEigenvalues", Napi::Function::New(env, TimeSingle, "timeSingleEigenvalues"));
  exports.Set("bench", bench);
}

}  // namespace rdm2addon
