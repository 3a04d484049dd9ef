#include "eigen_probes.hpp"

namespace rdm2 {

const EigenProbes& baselineEigenProbes();
const EigenProbes& avx2EigenProbes();
const EigenProbes& avx512EigenProbes();

const EigenProbes& eigenProbes(Isa isa) {
  switch (isa) {
    case Isa::Avx512:
      return avx512EigenProbes();
    case Isa::Avx2:
      return avx2EigenProbes();
    default:
      return baselineEigenProbes();
  }
}

}  // namespace rdm2
