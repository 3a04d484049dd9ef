#include "kernel_table.hpp"

namespace rdm2 {

// Defined by kernels_<isa>.cpp.
const KernelTable& baselineKernels();
const KernelTable& avx2Kernels();
const KernelTable& avx512Kernels();

const KernelTable& kernelTable(Isa isa) {
  switch (isa) {
    case Isa::Avx512:
      return avx512Kernels();
    case Isa::Avx2:
      return avx2Kernels();
    default:
      return baselineKernels();
  }
}

}  // namespace rdm2
