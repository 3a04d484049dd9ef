// Scalar observables of one window's spectrum (method.md, "Observables").
#pragma once
#include <cstddef>
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
  int64_t kept;     // number of eigenvalues above the cutoff
  bool degenerate;  // largest eigenvalue <= 0 or not finite
};

// The scalar observables by name, in result order: the bindings copy them out
// with one loop over this table, and lib/observables.ts (which the loader checks
// against it) lists the same names.
struct ObservableField {
  const char* name;
  double Observables::*value;
};
inline constexpr ObservableField kObservableFields[] = {
    {"trace", &Observables::trace},       {"pr", &Observables::pr},
    {"entropy", &Observables::entropy},   {"shc", &Observables::shc},
    {"topShare", &Observables::topShare},
};
inline constexpr std::size_t kObservableCount = sizeof(kObservableFields) / sizeof(kObservableFields[0]);

// `lambda` holds m eigenvalues of C in descending order. Values below the
// cutoff are set to zero in place so the stored spectrum sums to `trace`.
Observables computeObservables(double* lambda, int64_t m, double beta);

// Every observable NaN, flagged degenerate.
Observables degenerateObservables();

}  // namespace rdm2
