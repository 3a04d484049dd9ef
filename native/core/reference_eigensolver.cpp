#include "reference_eigensolver.hpp"

#include <Eigen/Dense>

namespace rdm2 {

bool referenceEigensolve(int64_t N, int64_t ld, const double* a, int64_t k, double* values, double* vectors) {
  Eigen::MatrixXd M(N, N);
  for (int64_t i = 0; i < N; ++i)
    for (int64_t j = 0; j <= i; ++j) M(i, j) = M(j, i) = a[i * ld + j];
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(M, k > 0 ? Eigen::ComputeEigenvectors : Eigen::EigenvaluesOnly);
  if (solver.info() != Eigen::Success) return false;
  const Eigen::VectorXd& ev = solver.eigenvalues();  // ascending
  for (int64_t i = 0; i < N; ++i) values[i] = ev(N - 1 - i);
  for (int64_t j = 0; j < k; ++j)
    for (int64_t i = 0; i < N; ++i) vectors[j * N + i] = solver.eigenvectors()(i, N - 1 - j);
  return true;
}

}  // namespace rdm2
