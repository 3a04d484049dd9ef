// What a window's projection removes, and how the W x W Gram of its rows is checked and
// reduced before the eigensolve (method.md, "Dual-form formulas").
//
// Centering removes the constant direction 1 and linear detrending also the time trend tau.
// In time order (row 0 the oldest) these are the same vectors for every window of length W,
// so one pair of Householder reflections H1, H2 (H1 maps 1 to a multiple of e_0, H2 maps the
// reflected trend to a multiple of e_1) turns every window's Gram G into H G H, whose
// trailing order W - q block is P G P restricted to the directions that remain: the known
// zero eigenvalues are split off exactly instead of being iterated to round-off.
#pragma once
#include <cstdint>
#include <vector>

#include "types.hpp"

namespace rdm2 {

struct Deflation {
  Deflation(int64_t window, Detrend detrend);
  int64_t window;
  int removed;                 // q: 1 (centering) or 2 (and the trend)
  std::vector<double> h1, h2;  // h2 empty when removed == 1; h2 acts on the trailing W - 1
  double beta1 = 0, beta2 = 0;
  int64_t order() const { return window - removed; }
  // u (W entries, time order) = H1 [0; H2 [0; z]] for z of length order().
  void expand(const double* z, double* u) const;
};

// How well the Gram's reference row and scale suit this window, from G in time order.
// offset2: the largest squared distance of a row from the reference (max G_ii);
// spread2: the mean squared distance of the rows from their mean (tr G / W - 1^T G 1 / W^2).
struct Conditioning {
  double offset2 = 0, spread2 = 0;
  bool finite = true;
  // True when the Gram can be used as it is: entries far from overflow and underflow, and
  // their rounding small next to the window's spread. `level` is the largest squared
  // deviation the Gram's entries have been computed or shifted through since it was last
  // built from the rows (an outlier that was the reference, or that a shift passed through,
  // leaves its level behind): the entries carry errors of about eps * level.
  bool good(int64_t window, double level) const;
};

// Gathers the lower triangle of the time-ordered W x W Gram of a window from a Gram kept in
// ring slots (full storage): dst[(i * W + j) * stride] = G[slot[i] * ldG + slot[j]] for
// j <= i, and returns its conditioning.
Conditioning gatherWindowGram(const double* G, int64_t ldG, const int64_t* slots, int64_t W, double* dst,
                              int64_t stride);

// The conditioning of a whole W x W Gram in any row order (full storage): what the
// streaming monitor checks at each push without gathering anything.
Conditioning conditioningOf(const double* G, int64_t W);

// Where the reference should move when a window's Gram is not good: the row nearest the
// window's mean (smallest centred norm), by time position; the newest row when G is not finite.
int64_t nearestToMean(const double* G, int64_t ldG, const int64_t* slots, int64_t W, bool finite);

// The power of two that brings the largest |deviation| into [0.5, 1).
double scaleFor(double maxAbs);

// The same scale as its exponent e (scaleFor(maxAbs) = 2^-e), the form the engines keep.
int scaleExponentFor(double maxAbs);

// A new row whose scaled deviation exceeds this could overflow its dot products: rescale.
inline constexpr double kPushLimit = 0x1p200;

}  // namespace rdm2
