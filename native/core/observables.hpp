// Scalar observables of one window's spectrum (method.md, "Observables").
#pragma once
#include <cstdint>

namespace rdm2 {

// Eigenvalues below this fraction of the largest are round-off or exact zeros.
constexpr double kRelativeCutoff = 1e-10;

struct Observables {
  double trace;
  double pr;
  double entropy;
  double shc;
  double topShare;
  int64_t kept;      // number of eigenvalues above the cutoff
  bool degenerate;   // largest eigenvalue <= 0 or not finite
};

// `lambda` holds m eigenvalues of C in descending order. Values below the
// cutoff are set to zero in place so the stored spectrum sums to `trace`.
Observables computeObservables(double* lambda, int64_t m, double beta);

// Every observable NaN, flagged degenerate.
Observables degenerateObservables();

}  // namespace rdm2
