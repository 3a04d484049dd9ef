// Reading one checkpoint's losses into float64, with the optional transform.
// Every path into a WindowState goes through here, so batch and streaming
// see identical numbers.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "types.hpp"

namespace rdm2 {

inline void loadRow(const InputMatrix& in, int64_t r, Transform transform, double* dst) {
  const int64_t n = in.cols;
  if (in.colStride == 1) {
    if (in.dtype == DType::F32) {
      const float* src = static_cast<const float*>(in.data) + r * in.rowStride;
      for (int64_t c = 0; c < n; ++c) dst[c] = static_cast<double>(src[c]);
    } else {
      const double* src = static_cast<const double*>(in.data) + r * in.rowStride;
      std::copy(src, src + n, dst);
    }
  } else {
    for (int64_t c = 0; c < n; ++c) dst[c] = in.at(r, c);
  }
  if (transform == Transform::Log)
    for (int64_t c = 0; c < n; ++c) dst[c] = std::log(dst[c]);
}

// The first column of row r holding a loss that cannot be analysed (not
// finite, or not > 0 under the log transform), or -1.
inline int64_t firstBadColumn(const InputMatrix& in, int64_t r, Transform transform) {
  const bool log = transform == Transform::Log;
  for (int64_t c = 0; c < in.cols; ++c) {
    const double v = in.at(r, c);
    if (!std::isfinite(v) || (log && !(v > 0.0))) return c;
  }
  return -1;
}

}  // namespace rdm2
