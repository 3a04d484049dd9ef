// Which instruction set the kernels run with: detected from CPUID at load, or forced with
// RDM2_ISA=baseline|avx2|avx512.
#pragma once
#include <string>

#include "types.hpp"

namespace rdm2 {

enum class Isa { Baseline = 0, Avx2 = 1, Avx512 = 2 };

const char* isaName(Isa isa);
// False for an unknown name.
bool parseIsa(const std::string& name, Isa& out);
// The CPU and the operating system both support it (CPUID feature bits and XGETBV state).
bool cpuSupports(Isa isa);
// The widest instruction set this CPU supports.
Isa bestIsa();

// RDM2_ISA names an unknown instruction set, or one this CPU lacks.
struct IsaError : CoreError {
  explicit IsaError(const std::string& what) : CoreError(what) {}
};

// The process-wide choice, made once: RDM2_ISA when set (IsaError when it cannot be
// honoured), otherwise bestIsa().
Isa selectedIsa();

// The instruction set a caller asked for by name ("" = the process-wide choice); IsaError
// when unknown or unsupported.
Isa resolveIsa(const std::string& name);

}  // namespace rdm2
