// Timings of rdm2's own kernels for the benchmark harness, at a chosen instruction set:
// the bare dot products of one push and the eigensolves (batched and one at a time), next
// to Eigen's (eigen_probes.hpp). Seconds per call, best of reps.
#pragma once
#include <cstdint>

#include "isa.hpp"

namespace rdm2 {

// One new row's dot products with W rows of length n (the band kernel with one new row).
double timeDots(Isa isa, int64_t window, int64_t n, int reps);

// Per row: the batch path's dot products, one tile of 16 new rows against the W - 1 rows
// before each (the band kernel), divided by 16.
double timeBandDots(Isa isa, int64_t window, int64_t n, int reps);

// Per matrix: the eigenvalues of a W x W Gram-like matrix after the centring deflation
// (order W - 1), solved `lanes` at a time by the batched solver, or alone by the scalar one.
double timeBatchedEigenvalues(Isa isa, int64_t window, int reps);
double timeSingleEigenvalues(Isa isa, int64_t window, int reps);

}  // namespace rdm2
