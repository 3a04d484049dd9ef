// Eigen's own kernels compiled at each instruction set level (eigen_probes_<isa>.cpp), for
// the benchmark harness: what the library gets from Eigen itself at each level (gemm, the
// matrix-vector product of a push, a lone eigensolve), next to rdm2's own kernels.
#pragma once
#include <cstdint>

#include "isa.hpp"

namespace rdm2 {

struct EigenProbes {
  // Seconds per call, best of reps.
  double (*gemm)(int64_t m, int64_t k, int64_t n, int reps);  // C = A B, float64
  double (*gemv)(int64_t window, int64_t n, int reps);        // g = Y y, Y W x n row-major
  double (*eigenvalues)(int64_t window, int reps);            // SelfAdjointEigenSolver, values only
};

const EigenProbes& eigenProbes(Isa isa);

}  // namespace rdm2
