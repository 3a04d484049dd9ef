// Moving std::vector results into JS typed arrays without copying, and reading
// JS typed arrays in place (their data pointer already includes ByteOffset()).
#pragma once
#include <napi.h>

#include <cstdint>
#include <vector>

namespace rdm2addon {

template <typename T, typename TA>
TA adoptVector(Napi::Env env, std::vector<T>&& values) {
  const size_t count = values.size();
  if (count == 0) return TA::New(env, 0);
  auto* owned = new std::vector<T>(std::move(values));
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
      env, owned->data(), count * sizeof(T), [](Napi::Env, void*, std::vector<T>* hint) { delete hint; }, owned);
  return TA::New(env, count, buffer, 0);
}

inline Napi::Float64Array toJs(Napi::Env env, std::vector<double>&& v) {
  return adoptVector<double, Napi::Float64Array>(env, std::move(v));
}
inline Napi::Float32Array toJs(Napi::Env env, std::vector<float>&& v) {
  return adoptVector<float, Napi::Float32Array>(env, std::move(v));
}
inline Napi::Int32Array toJs(Napi::Env env, std::vector<int32_t>&& v) {
  return adoptVector<int32_t, Napi::Int32Array>(env, std::move(v));
}
inline Napi::Uint8Array toJs(Napi::Env env, std::vector<uint8_t>&& v) {
  return adoptVector<uint8_t, Napi::Uint8Array>(env, std::move(v));
}

// Reads an integer option; the TypeScript layer has validated it already, so a
// missing or wrong-typed value here is a programming error.
inline int64_t intOption(const Napi::Object& o, const char* key, int64_t fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("option ") + key + " must be a number");
  return v.As<Napi::Number>().Int64Value();
}

inline double numberOption(const Napi::Object& o, const char* key, double fallback) {
  Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("option ") + key + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

}  // namespace rdm2addon
