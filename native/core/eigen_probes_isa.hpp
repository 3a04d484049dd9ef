// One instruction set's Eigen probes. eigen_probes_<isa>.cpp defines RDM2_PROBE_NAMESPACE
// and RDM2_PROBE_TABLE and includes this; Eigen's own namespace is renamed per unit so its
// templates, compiled with that unit's -march, are never merged with another unit's.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>

#define Eigen RDM2_PROBE_EIGEN
#include <Eigen/Dense>

#include "eigen_probes.hpp"

namespace rdm2 {
namespace RDM2_PROBE_NAMESPACE {

template <typename F>
static double bestOf(int reps, F&& f) {
  double best = std::numeric_limits<double>::infinity();
  for (int r = 0; r < std::max(1, reps); ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
  }
  return best;
}

// Keeps the optimiser from discarding a result.
static volatile double sink = 0;

static double gemm(int64_t m, int64_t k, int64_t n, int reps) {
  Eigen::MatrixXd A = Eigen::MatrixXd::Random(m, k), B = Eigen::MatrixXd::Random(k, n), C(m, n);
  return bestOf(reps, [&] {
    C.noalias() = A * B;
    sink = sink + C(0, 0);
  });
}

static double gemv(int64_t window, int64_t n, int reps) {
  typedef Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> RowMatrix;
  RowMatrix Y = RowMatrix::Random(window, n);
  Eigen::VectorXd y = Eigen::VectorXd::Random(n), g(window);
  return bestOf(reps, [&] {
    g.noalias() = Y * y;
    sink = sink + g(0);
  });
}

static double eigenvalues(int64_t window, int reps) {
  Eigen::MatrixXd A = Eigen::MatrixXd::Random(window, window);
  Eigen::MatrixXd S = A * A.transpose();
  return bestOf(reps, [&] {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(S, Eigen::EigenvaluesOnly);
    sink = sink + solver.eigenvalues()(0);
  });
}

}  // namespace RDM2_PROBE_NAMESPACE

const EigenProbes& RDM2_PROBE_TABLE() {
  static const EigenProbes table = {RDM2_PROBE_NAMESPACE::gemm, RDM2_PROBE_NAMESPACE::gemv,
                                    RDM2_PROBE_NAMESPACE::eigenvalues};
  return table;
}

}  // namespace rdm2
