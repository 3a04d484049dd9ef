// From a window's eigenvalues and eigenvectors to what the results hold: observables,
// eigenvalues in the input's units, unit eigenvectors with the sign rule. Shared by the
// batch path and the streaming monitor so both report identically.
#pragma once
#include <cstdint>

#include "observables.hpp"

namespace rdm2 {

// `scaled` holds the N eigenvalues of the scaled window matrix divided by W - 1, in
// descending order (modified). The rows were scaled by 2^-scaleExp, so eigenvalues of C are
// scaled[k] * 2^(2 scaleExp). Writes m >= 1 eigenvalues (zero beyond N, below the cutoff
// and for a degenerate window with a finite top) and returns the observables.
Observables finishSpectrum(double* scaled, int64_t N, int64_t m, int scaleExp, double beta, double* eigenvalues);

// Every observable and eigenvalue NaN (a window with a bad row or a non-finite matrix), and
// every eigenvector entry NaN.
Observables degenerateWindow(int64_t m, int64_t topK, int64_t n, double* eigenvalues, float* eigenvectors);

// v (n entries) normalised to unit length with its largest-magnitude entry positive, as
// float32 into out. NaN when v is zero or not finite.
void finishVector(const double* v, int64_t n, float* out);

}  // namespace rdm2
