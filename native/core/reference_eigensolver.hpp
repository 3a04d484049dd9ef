// Eigen's SelfAdjointEigenSolver: the reference the batched solver is tested against, and
// the solver for the rare matrix the batched one does not converge on and for orders too
// large to batch.
#pragma once
#include <cstdint>

namespace rdm2 {

// a: N x N row-major with leading dimension ld, lower triangle read. values: N eigenvalues,
// descending. vectors (k > 0): k x N, the unit eigenvectors of the k largest, in order.
// Returns false when Eigen reports no convergence.
bool referenceEigensolve(int64_t N, int64_t ld, const double* a, int64_t k, double* values, double* vectors);

}  // namespace rdm2
