#include "kernel_probes.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <limits>

namespace rdm2 {
namespace {

template <typename F>
double bestOf(int reps, F&& f) {
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
volatile double sink = 0;

}  // namespace

double timeGemm(int64_t m, int64_t k, int64_t n, int reps) {
  Eigen::MatrixXd A = Eigen::MatrixXd::Random(m, k), B = Eigen::MatrixXd::Random(k, n), C(m, n);
  return bestOf(reps, [&] {
    C.noalias() = A * B;
    sink = sink + C(0, 0);
  });
}

double timeDots(int64_t window, int64_t n, int reps) {
  using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  RowMatrix Y = RowMatrix::Random(window, n);
  Eigen::VectorXd y = Eigen::VectorXd::Random(n), g(window);
  return bestOf(reps, [&] {
    g.noalias() = Y * y;
    sink = sink + g(0);
  });
}

double timeEigenvalues(int64_t window, int reps) {
  Eigen::MatrixXd A = Eigen::MatrixXd::Random(window, window);
  Eigen::MatrixXd S = A * A.transpose();
  return bestOf(reps, [&] {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(S, Eigen::EigenvaluesOnly);
    sink = sink + solver.eigenvalues()(0);
  });
}

}  // namespace rdm2
