#include "window_projection.hpp"

#include <cmath>

namespace rdm2 {

namespace {

// h with H = I - beta h h^T mapping the unit vector x to -sign(x_0) e_0.
void householderTo(const std::vector<double>& x, std::vector<double>& h, double& beta) {
  h = x;
  h[0] += x[0] >= 0 ? 1.0 : -1.0;
  double hh = 0;
  for (double v : h) hh += v * v;
  beta = hh > 0 ? 2.0 / hh : 0.0;
}

void apply(const std::vector<double>& h, double beta, double* u) {
  double s = 0;
  for (size_t i = 0; i < h.size(); ++i) s += h[i] * u[i];
  s *= beta;
  for (size_t i = 0; i < h.size(); ++i) u[i] -= s * h[i];
}

}  // namespace

Deflation::Deflation(int64_t W, Detrend detrend) : window(W), removed(detrend == Detrend::Linear ? 2 : 1) {
  std::vector<double> one(W, 1.0 / std::sqrt(static_cast<double>(W)));
  householderTo(one, h1, beta1);
  if (removed == 2 && W >= 3) {
    // The unit trend (time positions minus their mean), reflected by H1; its first entry
    // is zero (it is orthogonal to 1), so it lives in the trailing W - 1 coordinates.
    std::vector<double> tau(W);
    double norm2 = 0;
    for (int64_t i = 0; i < W; ++i) {
      tau[i] = static_cast<double>(i) - 0.5 * static_cast<double>(W - 1);
      norm2 += tau[i] * tau[i];
    }
    for (double& t : tau) t /= std::sqrt(norm2);
    apply(h1, beta1, tau.data());
    std::vector<double> rest(tau.begin() + 1, tau.end());
    double r2 = 0;
    for (double v : rest) r2 += v * v;
    for (double& v : rest) v /= std::sqrt(r2);
    householderTo(rest, h2, beta2);
  }
}

void Deflation::expand(const double* z, double* u) const {
  const int64_t N = order();
  for (int64_t i = 0; i < removed; ++i) u[i] = 0.0;
  for (int64_t i = 0; i < N; ++i) u[removed + i] = z[i];
  if (removed == 2 && !h2.empty()) apply(h2, beta2, u + 1);
  apply(h1, beta1, u);
}

bool Conditioning::good(int64_t W, double level) const {
  if (!finite) return false;
  if (level == 0) return true;  // every row has always equalled the reference: exact zeros
  // Beyond these, Gram entries near overflow or in the subnormal range: rescale.
  if (offset2 > 0x1p400 || (offset2 > 0 && offset2 < 0x1p-400)) return false;
  // eps * kappa stays near 1e-10 of the spread even for long windows, and a Gram rebuilt
  // around a row inside the window always passes (its level is at most 4 W spread2), so a
  // rebuild settles it.
  const double kappa = std::fmax(0x1p20, 16.0 * static_cast<double>(W));
  return level <= kappa * spread2;
}

Conditioning gatherWindowGram(const double* G, int64_t ldG, const int64_t* slots, int64_t W, double* dst,
                              int64_t stride) {
  Conditioning c;
  double trace = 0, offDiagonal = 0, offset = 0;
  for (int64_t i = 0; i < W; ++i) {
    const double* row = G + slots[i] * ldG;
    double* out = dst + i * W * stride;
    // Four partial sums: one chain of dependent additions would be latency bound.
    double part[4] = {0, 0, 0, 0};
    int64_t j = 0;
    for (; j + 4 <= i; j += 4)
      for (int q = 0; q < 4; ++q) {
        const double g = row[slots[j + q]];
        out[(j + q) * stride] = g;
        part[q] += g;
      }
    for (; j < i; ++j) {
      const double g = row[slots[j]];
      out[j * stride] = g;
      part[0] += g;
    }
    const double rowSum = (part[0] + part[1]) + (part[2] + part[3]);
    const double diag = row[slots[i]];
    out[i * stride] = diag;
    trace += diag;
    offDiagonal += rowSum;
    offset = std::fmax(offset, diag);
  }
  const double w = static_cast<double>(W);
  c.offset2 = offset;
  c.spread2 = trace / w - (trace + 2 * offDiagonal) / (w * w);
  c.finite = std::isfinite(trace) && std::isfinite(offDiagonal);
  return c;
}

namespace {

typedef double Pair __attribute__((vector_size(16)));

// The sums of rows i..i+R of G (W x W): each in four partial sums (j mod 4, two pairs of
// lanes), combined as (p0 + p1) + (p2 + p3). R rows at a time so their chains overlap: one
// row's chains alone wait on the adder's latency.
template <int R>
inline void rowSums(const double* G, int64_t W, int64_t i, double* out) {
  Pair lo[R], hi[R];
  for (int r = 0; r < R; ++r) lo[r] = hi[r] = Pair{0, 0};
  const int64_t body = W - W % 4;
  for (int64_t j = 0; j < body; j += 4)
    for (int r = 0; r < R; ++r) {
      Pair a, b;
      __builtin_memcpy(&a, G + (i + r) * W + j, sizeof a);
      __builtin_memcpy(&b, G + (i + r) * W + j + 2, sizeof b);
      lo[r] += a;
      hi[r] += b;
    }
  for (int r = 0; r < R; ++r) {
    double p0 = lo[r][0];
    for (int64_t j = body; j < W; ++j) p0 += G[(i + r) * W + j];
    out[r] = (p0 + lo[r][1]) + (hi[r][0] + hi[r][1]);
  }
}

}  // namespace

Conditioning conditioningOf(const double* G, int64_t W) {
  Conditioning c;
  double trace = 0, sum = 0, offset = 0;
  double rows[4];
  for (int64_t i = 0; i < W; i += 4) {
    const int R = W - i < 4 ? static_cast<int>(W - i) : 4;
    if (R == 4)
      rowSums<4>(G, W, i, rows);
    else
      for (int r = 0; r < R; ++r) rowSums<1>(G, W, i + r, rows + r);
    // The rows in order, as one row at a time would add them.
    for (int r = 0; r < R; ++r) {
      const double d = G[(i + r) * W + i + r];
      sum += rows[r];
      trace += d;
      offset = offset < d ? d : offset;
    }
  }
  const double w = static_cast<double>(W);
  c.offset2 = offset;
  c.spread2 = trace / w - sum / (w * w);
  c.finite = std::isfinite(sum) && std::isfinite(trace);
  return c;
}

int64_t nearestToMean(const double* G, int64_t ldG, const int64_t* slots, int64_t W, bool finite) {
  if (!finite) return W - 1;
  // Centred norm of row i: G_ii - 2 (G 1)_i / W + 1^T G 1 / W^2; the last term is common.
  int64_t best = W - 1;
  double bestValue = INFINITY;
  for (int64_t i = 0; i < W; ++i) {
    const double* row = G + slots[i] * ldG;
    double rowSum = 0;
    for (int64_t j = 0; j < W; ++j) rowSum += row[slots[j]];
    const double v = row[slots[i]] - 2.0 * rowSum / static_cast<double>(W);
    if (v < bestValue) {
      bestValue = v;
      best = i;
    }
  }
  return best;
}

double scaleFor(double maxAbs) {
  if (!(maxAbs > 0) || !std::isfinite(maxAbs)) return 1.0;
  int e = 0;
  std::frexp(maxAbs, &e);                         // maxAbs = f 2^e, f in [0.5, 1)
  return std::ldexp(1.0, e < -1023 ? 1023 : -e);  // subnormal data: as far as a double goes
}

int scaleExponentFor(double maxAbs) {
  int e = 0;
  std::frexp(scaleFor(maxAbs), &e);  // 2^-k = 0.5 * 2^(1-k)
  return 1 - e;
}

}  // namespace rdm2
