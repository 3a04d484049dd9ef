// isa() -> { selected, best, supported, error }: which instruction set the kernels run with
// (RDM2_ISA or CPUID), for the API and `rdm2 --version`. An RDM2_ISA the CPU cannot honour
// is reported in `error` (and every analysis then fails with it) rather than thrown here.
#include <napi.h>

#include "../core/isa.hpp"

namespace rdm2addon {
namespace {

Napi::Value IsaInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  try {
    o.Set("selected", rdm2::isaName(rdm2::selectedIsa()));
  } catch (const rdm2::IsaError& e) {
    o.Set("selected", env.Null());
    o.Set("error", e.what());
  }
  o.Set("best", rdm2::isaName(rdm2::bestIsa()));
  Napi::Array supported = Napi::Array::New(env);
  uint32_t i = 0;
  for (rdm2::Isa isa : {rdm2::Isa::Baseline, rdm2::Isa::Avx2, rdm2::Isa::Avx512})
    if (rdm2::cpuSupports(isa)) supported.Set(i++, rdm2::isaName(isa));
  o.Set("supported", supported);
  return o;
}

}  // namespace

void registerIsa(Napi::Env env, Napi::Object exports) {
  exports.Set("isa", Napi::Function::New(env, IsaInfo, "isa"));
}

}  // namespace rdm2addon
