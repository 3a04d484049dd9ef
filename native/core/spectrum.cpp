#include "spectrum.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rdm2 {

Observables finishSpectrum(double* scaled, int64_t N, int64_t m, int scaleExp, double beta, double* eigenvalues) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const int64_t kept = std::min(N, m);
  Observables obs = kept > 0 ? computeObservables(scaled, kept, beta) : degenerateObservables();
  if (obs.degenerate) {
    const double fill = kept > 0 && !std::isfinite(scaled[0]) ? nan : 0.0;
    std::fill(eigenvalues, eigenvalues + m, fill);
    return obs;
  }
  for (int64_t k = 0; k < m; ++k) eigenvalues[k] = k < kept ? std::ldexp(scaled[k], 2 * scaleExp) : 0.0;
  obs.trace = std::ldexp(obs.trace, 2 * scaleExp);
  return obs;
}

Observables degenerateWindow(int64_t m, int64_t topK, int64_t n, double* eigenvalues, float* eigenvectors) {
  std::fill(eigenvalues, eigenvalues + m, std::numeric_limits<double>::quiet_NaN());
  if (topK > 0 && eigenvectors)
    std::fill(eigenvectors, eigenvectors + topK * n, std::numeric_limits<float>::quiet_NaN());
  return degenerateObservables();
}

void finishVector(const double* v, int64_t n, float* out) {
  double norm2 = 0, largest = 0;
  int64_t arg = 0;
  for (int64_t i = 0; i < n; ++i) {
    norm2 += v[i] * v[i];
    if (std::fabs(v[i]) > largest) {
      largest = std::fabs(v[i]);
      arg = i;
    }
  }
  // The rows were scaled to at most 1 in magnitude, so v cannot overflow; zero means no direction.
  if (!(norm2 > 0) || !std::isfinite(norm2)) {
    std::fill(out, out + n, std::numeric_limits<float>::quiet_NaN());
    return;
  }
  const double inv = (v[arg] < 0 ? -1.0 : 1.0) / std::sqrt(norm2);
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<float>(v[i] * inv);
}

}  // namespace rdm2
