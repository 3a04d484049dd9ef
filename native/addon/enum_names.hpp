// The enums that cross the Node-API boundary, one table each: the library's name of every value
// (as lib/ spells it in options) and the core's value. Options carry the names; an unknown or
// missing name is an error, never a silent default. The loader (lib/native.ts) checks these
// names against the option schemas, so the two sides cannot drift apart.
#pragma once
#include <napi.h>

#include <cstddef>
#include <string>

#include "../core/isa.hpp"
#include "../core/types.hpp"
#include "native_errors.hpp"

namespace rdm2addon {

template <typename E>
struct EnumName {
  const char* name;
  E value;
};

inline constexpr EnumName<rdm2::Detrend> kDetrendNames[] = {{"none", rdm2::Detrend::None},
                                                            {"linear", rdm2::Detrend::Linear}};
inline constexpr EnumName<rdm2::Transform> kTransformNames[] = {{"none", rdm2::Transform::None},
                                                                {"log", rdm2::Transform::Log}};
inline constexpr EnumName<rdm2::NonFinite> kNonFiniteNames[] = {{"unchecked", rdm2::NonFinite::Unchecked},
                                                                {"error", rdm2::NonFinite::Error},
                                                                {"skip-window", rdm2::NonFinite::SkipWindow}};
inline constexpr EnumName<rdm2::SolvePath> kSolvePathNames[] = {
    {"auto", rdm2::SolvePath::Auto}, {"gram", rdm2::SolvePath::Gram}, {"covariance", rdm2::SolvePath::Covariance}};

// Reads option `key` as one of the table's names.
template <typename E, std::size_t N>
E enumOption(const Napi::Object& o, const char* key, const EnumName<E> (&table)[N]) {
  Napi::Value v = o.Get(key);
  if (!v.IsString())
    throw Napi::TypeError::New(o.Env(), std::string("option ") + key + " must be a string naming a value");
  const std::string s = v.As<Napi::String>().Utf8Value();
  for (const EnumName<E>& e : table)
    if (s == e.name) return e.value;
  throw Napi::RangeError::New(o.Env(), std::string("option ") + key + ": unknown value '" + s + "'");
}

// The `isa` option: which compiled kernels run; absent or "" means the process-wide choice
// (RDM2_ISA or CPUID). Checked by the core, whose error names the instruction sets this CPU has.
inline int isaOption(const Napi::Object& o) {
  Napi::Value v = o.Get("isa");
  try {
    return static_cast<int>(rdm2::resolveIsa(v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string()));
  } catch (...) {
    rethrowAsJs(o.Env());
  }
}

// The table's names, for the loader's check.
template <typename E, std::size_t N>
Napi::Array enumNames(Napi::Env env, const EnumName<E> (&table)[N]) {
  Napi::Array out = Napi::Array::New(env, N);
  for (std::size_t i = 0; i < N; ++i) out.Set(static_cast<uint32_t>(i), table[i].name);
  return out;
}

}  // namespace rdm2addon
