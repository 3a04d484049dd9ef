// The trailing window of W loss rows and, in the dual regime (W <= n), the
// W x W Gram matrix of those rows kept up to date one push at a time.
// This is the only piece that knows how a window's spectrum is computed; the
// batch driver and the streaming monitor both push rows into one of these.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "observables.hpp"
#include "types.hpp"

namespace rdm2 {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Where one window's results go: observables, m = min(W-1, n) eigenvalues and
// topK probe-space eigenvectors (each of length n).
struct SpectrumOut {
  Observables obs;
  double* eigenvalues = nullptr;  // m entries, descending, zero padded
  float* eigenvectors = nullptr;  // topK x n, may be null when topK == 0
};

class WindowState {
 public:
  // rebuildPeriod: pushes between moves of the reference row to the newest row
  // (0 = W); the Gram is shifted to match, at no dot products. scratch: rebuild
  // the Gram from scratch at every push (the benchmark's from-scratch driver).
  WindowState(int64_t probes, int64_t window, int64_t rebuildPeriod = 0, bool scratch = false,
              SolvePath path = SolvePath::Auto);

  int64_t probes() const { return n_; }
  int64_t eigenCount() const { return W_ - 1 < n_ ? W_ - 1 : n_; }
  bool full() const { return count_ >= W_; }
  bool containsBad() const;

  void reset();
  // `row` holds n transformed losses in float64. A bad row is stored as equal
  // to the reference (zeros) and makes every window containing it degenerate.
  void push(const double* row, bool bad);
  void spectrum(const SpectrumOptions& opts, SpectrumOut& out);

  // Everything that determines future results, for snapshots: restoring it
  // continues bit for bit where the exported state left off.
  struct Saved {
    std::vector<double> deviations;  // W x n, row-major, slot order
    std::vector<double> gram;        // W x W (empty unless dual)
    std::vector<double> reference;   // n
    std::vector<int64_t> positions;  // W
    std::vector<uint8_t> bad;        // W
    int64_t count = 0;
    int64_t sinceRebuild = 0;
    bool hasReference = false;
  };
  Saved save() const;
  // Throws CoreError when the sizes do not match this window.
  void load(const Saved& saved);

 private:
  void rebuild();
  void buildProjector(Detrend detrend);

  int64_t n_, W_, rebuildPeriod_;
  bool dual_, scratch_;
  RowMatrix Y_;               // W x n ring buffer of rows minus the reference row
  Eigen::MatrixXd G_;         // W x W Gram of Y_ (dual regime only), slot order
  Eigen::VectorXd ref_;       // reference row r
  Eigen::VectorXd newRow_;    // scratch for one row
  Eigen::VectorXd gramRow_;   // the new row's W dot products
  std::vector<int64_t> pos_;  // time position of each slot
  std::vector<uint8_t> bad_;
  int64_t count_ = 0;
  int64_t sinceRebuild_ = 0;
  bool hasRef_ = false;
  // Workspace reused across windows.
  Eigen::MatrixXd Q_;  // W x q orthonormal basis of the removed subspace
  Eigen::MatrixXd M_, A_, B_;
  RowMatrix X_;  // projected window (n < W path)
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver_;
  Eigen::VectorXd lambda_;
};

}  // namespace rdm2
