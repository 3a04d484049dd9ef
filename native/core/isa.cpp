#include "isa.hpp"

#include <cpuid.h>

#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <string>

namespace rdm2 {
namespace {

struct CpuFeatures {
  bool avx2 = false;    // x86-64-v3: AVX, AVX2, FMA, BMI1/2, LZCNT, MOVBE, F16C, OS saves YMM
  bool avx512 = false;  // x86-64-v4: the above plus AVX-512 F, BW, CD, DQ, VL, OS saves ZMM
};

uint64_t xgetbv0() {
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

CpuFeatures detect() {
  CpuFeatures f;
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool osxsave = c & (1u << 27), avx = c & (1u << 28), fma = c & (1u << 12), movbe = c & (1u << 22),
             f16c = c & (1u << 29);
  if (!osxsave || !avx) return f;
  const uint64_t xcr0 = xgetbv0();
  const bool ymmState = (xcr0 & 0x6) == 0x6;
  const bool zmmState = (xcr0 & 0xe6) == 0xe6;
  unsigned maxLeaf = __get_cpuid_max(0, nullptr);
  if (maxLeaf < 7) return f;
  __cpuid_count(7, 0, a, b, c, d);
  const bool avx2 = b & (1u << 5), bmi1 = b & (1u << 3), bmi2 = b & (1u << 8);
  const bool avx512f = b & (1u << 16), avx512dq = b & (1u << 17), avx512cd = b & (1u << 28), avx512bw = b & (1u << 30),
             avx512vl = b & (1u << 31);
  unsigned ea = 0, eb = 0, ec = 0, ed = 0;
  __get_cpuid(0x80000001, &ea, &eb, &ec, &ed);
  const bool lzcnt = ec & (1u << 5);
  f.avx2 = ymmState && avx2 && fma && bmi1 && bmi2 && lzcnt && movbe && f16c;
  f.avx512 = f.avx2 && zmmState && avx512f && avx512dq && avx512cd && avx512bw && avx512vl;
  return f;
}

// RDM2_ISA_HIDE (comma-separated levels) makes the core behave as on a CPU without them, so
// the error paths of RDM2_ISA can be tested on any machine. Hiding avx2 hides avx512 too.
CpuFeatures withHidden(CpuFeatures f) {
  const char* hide = std::getenv("RDM2_ISA_HIDE");
  if (!hide) return f;
  const std::string list = std::string(",") + hide + ",";
  if (list.find(",avx2,") != std::string::npos) f.avx2 = f.avx512 = false;
  if (list.find(",avx512,") != std::string::npos) f.avx512 = false;
  return f;
}

const CpuFeatures& features() {
  static const CpuFeatures f = withHidden(detect());
  return f;
}

}  // namespace

const char* isaName(Isa isa) {
  switch (isa) {
    case Isa::Avx2:
      return "avx2";
    case Isa::Avx512:
      return "avx512";
    default:
      return "baseline";
  }
}

bool parseIsa(const std::string& name, Isa& out) {
  if (name == "baseline")
    out = Isa::Baseline;
  else if (name == "avx2")
    out = Isa::Avx2;
  else if (name == "avx512")
    out = Isa::Avx512;
  else
    return false;
  return true;
}

bool cpuSupports(Isa isa) {
  switch (isa) {
    case Isa::Avx2:
      return features().avx2;
    case Isa::Avx512:
      return features().avx512;
    default:
      return true;
  }
}

Isa bestIsa() {
  if (cpuSupports(Isa::Avx512)) return Isa::Avx512;
  if (cpuSupports(Isa::Avx2)) return Isa::Avx2;
  return Isa::Baseline;
}

Isa resolveIsa(const std::string& name) {
  if (name.empty()) return selectedIsa();
  Isa isa;
  if (!parseIsa(name, isa))
    throw IsaError("unknown instruction set '" + name + "' (expected baseline, avx2 or avx512)");
  if (!cpuSupports(isa))
    throw IsaError(std::string("this CPU does not support ") + isaName(isa) + " (the best it supports is " +
                   isaName(bestIsa()) + ")");
  return isa;
}

Isa selectedIsa() {
  // Decided once; an invalid RDM2_ISA is reported on every call that needs it.
  static std::once_flag once;
  static Isa chosen = Isa::Baseline;
  static std::string error;
  std::call_once(once, [] {
    const char* env = std::getenv("RDM2_ISA");
    if (!env || !*env) {
      chosen = bestIsa();
      return;
    }
    Isa isa;
    if (!parseIsa(env, isa))
      error = std::string("RDM2_ISA=") + env + " is not an instruction set rdm2 knows (baseline, avx2, avx512)";
    else if (!cpuSupports(isa))
      error = std::string("RDM2_ISA=") + env + " but this CPU does not support " + isaName(isa) +
              " (the best it supports is " + isaName(bestIsa()) + ")";
    else
      chosen = isa;
  });
  if (!error.empty()) throw IsaError(error);
  return chosen;
}

}  // namespace rdm2
