// Reference kernels for the benchmark harness: what this machine's Eigen does on
// a plain matrix product (the arithmetic ceiling) and on the bare W dot products
// a streaming push needs (the floor of a push). Built with the same flags as the core.
#pragma once
#include <cstdint>

namespace rdm2 {

// Seconds per call of C = A * B with A m x k and B k x n (float64), best of `reps`.
double timeGemm(int64_t m, int64_t k, int64_t n, int reps);

// Seconds per call of g = Y * y with Y W x n row-major and y of length n, best of `reps`.
double timeDots(int64_t window, int64_t n, int reps);

// Seconds per eigenvalues-only solve of a random symmetric W x W matrix, best of `reps`.
double timeEigenvalues(int64_t window, int reps);

}  // namespace rdm2
