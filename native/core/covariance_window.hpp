// The n < W side of a window (method.md: "When n < W use the n x n matrix directly"): its
// rows centred by their column means in two passes (and linearly detrended), scaled by a
// power of two, and the n x n matrix of their column dot products. Also the batch path's
// from-scratch solve of a window the batched eigensolver did not converge on.
#pragma once
#include <cstdint>
#include <vector>

#include "aligned_buffer.hpp"
#include "kernel_table.hpp"
#include "types.hpp"

namespace rdm2 {

// X: W rows of np doubles (n used), in time order, replaced by the centred (detrended)
// rows scaled by 2^-scaleExp so the largest is below 1. Returns scaleExp.
int centreRows(double* X, int64_t W, int64_t n, int64_t np, Detrend detrend);

// out (n x n, row-major, lower triangle) = X^T X for X as left by centreRows.
class ColumnGram {
 public:
  ColumnGram(int64_t W, int64_t n, const KernelTable& kernels);
  void compute(const double* X, int64_t np, double* out);

 private:
  int64_t W_, n_, wp_;
  const KernelTable& k_;
  AlignedBuffer Xt_, band_, work_;
  std::vector<const double*> ptrs_;
};

}  // namespace rdm2
