// The hot kernels, compiled once per instruction set (kernels_baseline.cpp, kernels_avx2.cpp,
// kernels_avx512.cpp from the one source in kernels_isa.hpp) and chosen at run time: the
// prebuilt binary runs on any x86-64, and uses AVX2 or AVX-512 where the CPU has them.
// Plain function pointers over plain arrays: the per-ISA units share no types with the rest
// of the core, so nothing compiled for a wide instruction set can be reached from the
// baseline path.
#pragma once
#include <cstdint>

#include "isa.hpp"

namespace rdm2 {

// Rows passed to the kernels are padded with zeros to a multiple of this many doubles and
// start on a 64-byte boundary.
constexpr int64_t kRowPad = 8;
inline int64_t paddedLength(int64_t n) {
  return (n + kRowPad - 1) / kRowPad * kRowPad;
}

struct KernelTable {
  Isa isa;
  // Matrices solved together by `solve` (one per SIMD lane).
  int lanes;

  // Doubles of workspace bandDots needs.
  int64_t (*bandDotsWorkspace)(int fresh, int window);
  // rows[0..total) in time order, padded length n; the last `fresh` are new. For new row
  // i = total - fresh + t and k in [0, W) with j = i - W + 1 + k >= 0:
  // out[t * W + k] = rows[i] . rows[j].
  void (*bandDots)(const double* const* rows, int total, int fresh, int window, int64_t n, double* out, double* work);
  // out[j] = scale * sum_c (x_j[c] - ref[c]) * y[c], j < count (padded rows).
  void (*dotsFromRaw)(const double* const* x, int count, const double* ref, double scale, const double* y, int64_t n,
                      double* out);
  // y = (x - ref) * scale over n values, zero up to `padded`; returns max |y|.
  double (*deviation)(const double* x, const double* ref, double scale, int64_t n, int64_t padded, double* y);
  // y = (x - ref) * scale for a row of n losses stored as float32 (f32) or float64 with
  // element stride 1, converted on the way, zero up to `padded`; returns max |y|.
  double (*deviationFrom)(const void* x, bool f32, const double* ref, double scale, int64_t n, int64_t padded,
                          double* y);
  // y = x (float32 or float64, stride 1) as float64; returns the first index holding NaN
  // or an infinity, or -1.
  int64_t (*convertRow)(const void* x, bool f32, int64_t n, double* y);
  // The first index of x (float32 or float64, stride 1) holding NaN or an infinity, or -1.
  int64_t (*firstNonFinite)(const void* x, bool f32, int64_t n);
  // out[c] = sum_i coef[i] * (x_i[c] - ref[c]); ref may be null. n padded.
  void (*combineRows)(const double* const* x, const double* coef, int count, const double* ref, int64_t n, double* out);

  // Doubles of workspace `solve` / `solveOne` need for order N and k eigenvectors.
  int64_t (*solveWorkspace)(int order, int vectors);
  int64_t (*solveOneWorkspace)(int order, int vectors);
  // Two-sided Householder reflections A <- H2 H1 A H1 H2 that split off the directions the
  // window's projection removes (see window_projection.hpp), for `lanes` matrices stored
  // lane-interleaved (element (i, j) of matrix l at a[(i * ld + j) * lanes + l], lower
  // triangle read and written, order `order`). h1 has `order` entries; h2 (null when only one direction is
  // removed) acts on the trailing order - 1. work: `order * lanes` doubles.
  void (*deflate)(int order, int64_t ld, const double* h1, double beta1, const double* h2, double beta2, double* a,
                  double* work);
  // The same for one matrix (row-major, leading dimension ld).
  void (*deflateOne)(int order, int64_t ld, const double* h1, double beta1, const double* h2, double beta2, double* a,
                     double* work);
  // Eigen-decomposes `count` (1..lanes) symmetric matrices of order N stored lane-interleaved
  // with leading dimension ld (every lane filled: unused lanes should repeat lane 0); only
  // j <= i is read; a is destroyed. values[i * lanes + l]: the eigenvalues, unsorted. With
  // k > 0, vectors[(v * N + i) * lanes + l]: the unit eigenvectors of the k largest
  // eigenvalues, largest first (ties: the lower index first). failed[l] = 1 where the
  // iteration did not converge (the caller solves that matrix another way).
  void (*solve)(int order, int64_t ld, int vectors, double* a, double* work, double* values, double* eigvecs,
                uint8_t* failed);
  // The same for one matrix (row-major, leading dimension ld); returns false when the
  // iteration did not converge.
  bool (*solveOne)(int order, int64_t ld, int vectors, double* a, double* work, double* values, double* eigvecs);
};

// The table for an instruction set (the caller checks that the CPU supports it).
const KernelTable& kernelTable(Isa isa);

}  // namespace rdm2
