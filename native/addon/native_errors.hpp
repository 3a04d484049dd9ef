// Every C++ exception that reaches a binding becomes a JS Error (nothing aborts the process):
// an allocation failure and an unavailable instruction set carry codes the TypeScript layer
// turns into Rdm2Errors (lib/native.ts).
#pragma once
#include <napi.h>

#include <new>
#include <string>

#include "../core/isa.hpp"
#include "../core/types.hpp"

namespace rdm2addon {

constexpr const char* kMemoryCode = "ERR_RDM2_NATIVE_MEMORY";
constexpr const char* kIsaCode = "ERR_RDM2_NATIVE_ISA";

inline Napi::Error codedError(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

// Call inside a catch block: rethrows the exception in flight as a JS Error.
[[noreturn]] inline void rethrowAsJs(Napi::Env env) {
  try {
    throw;
  } catch (const Napi::Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw codedError(env, kMemoryCode, "out of memory in the native core");
  } catch (const rdm2::IsaError& e) {
    throw codedError(env, kIsaCode, e.what());
  } catch (const std::exception& e) {
    throw Napi::Error::New(env, e.what());
  }
}

// For AsyncWorker::Execute: what failed, without touching Node-API off the main thread.
struct WorkerFailure {
  const char* code = nullptr;  // null: a plain error
  std::string message;
};

// Call inside a catch block in Execute().
inline WorkerFailure describeFailure() {
  try {
    throw;
  } catch (const std::bad_alloc&) {
    return {kMemoryCode, "out of memory in the native core"};
  } catch (const rdm2::IsaError& e) {
    return {kIsaCode, e.what()};
  } catch (const std::exception& e) {
    return {nullptr, e.what()};
  } catch (...) {
    return {nullptr, "unknown native error"};
  }
}

}  // namespace rdm2addon
