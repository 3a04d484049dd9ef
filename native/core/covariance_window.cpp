#include "covariance_window.hpp"

#include <algorithm>
#include <cmath>

#include "window_projection.hpp"

namespace rdm2 {

int centreRows(double* X, int64_t W, int64_t n, int64_t np, Detrend detrend) {
  const double w = static_cast<double>(W);
  // Two passes: the column means, then the deviations from them (exact for nearby values).
  for (int64_t c = 0; c < n; ++c) {
    double sum = 0;
    for (int64_t i = 0; i < W; ++i) sum += X[i * np + c];
    const double mean = sum / w;
    for (int64_t i = 0; i < W; ++i) X[i * np + c] -= mean;
  }
  if (detrend == Detrend::Linear) {
    const double mid = 0.5 * (w - 1);
    double tt = 0;
    for (int64_t i = 0; i < W; ++i) tt += (i - mid) * (i - mid);
    for (int64_t c = 0; c < n; ++c) {
      double tx = 0;
      for (int64_t i = 0; i < W; ++i) tx += (i - mid) * X[i * np + c];
      const double slope = tx / tt;
      for (int64_t i = 0; i < W; ++i) X[i * np + c] -= (i - mid) * slope;
    }
  }
  double mx = 0;
  for (int64_t i = 0; i < W; ++i)
    for (int64_t c = 0; c < n; ++c) mx = std::max(mx, std::fabs(X[i * np + c]));
  const int e = scaleExponentFor(mx);  // scale = 2^-e
  const double scale = std::ldexp(1.0, -e);
  if (e != 0)
    for (int64_t i = 0; i < W; ++i)
      for (int64_t c = 0; c < n; ++c) X[i * np + c] *= scale;
  return e;
}

ColumnGram::ColumnGram(int64_t W, int64_t n, const KernelTable& kernels)
    : W_(W),
      n_(n),
      wp_(paddedLength(W)),
      k_(kernels),
      Xt_(n * paddedLength(W)),
      band_(n * n),
      work_(kernels.bandDotsWorkspace(static_cast<int>(n), static_cast<int>(n))),
      ptrs_(n) {
  for (int64_t c = 0; c < n_; ++c) ptrs_[c] = Xt_.data() + c * wp_;
}

void ColumnGram::compute(const double* X, int64_t np, double* out) {
  double* Xt = Xt_.data();
  for (int64_t c = 0; c < n_; ++c)
    for (int64_t i = 0; i < W_; ++i) Xt[c * wp_ + i] = X[i * np + c];
  double* band = band_.data();
  k_.bandDots(ptrs_.data(), static_cast<int>(n_), static_cast<int>(n_), static_cast<int>(n_), wp_, band, work_.data());
  for (int64_t i = 0; i < n_; ++i)
    for (int64_t k = 0; k <= i; ++k) out[i * n_ + k] = band[i * n_ + (k - i + n_ - 1)];
}

}  // namespace rdm2
