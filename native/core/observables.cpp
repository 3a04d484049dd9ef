#include "observables.hpp"

#include <cmath>
#include <limits>
#include <vector>

namespace rdm2 {

Observables degenerateObservables() {
  Observables o{};
  for (const ObservableField& f : kObservableFields) o.*f.value = std::numeric_limits<double>::quiet_NaN();
  o.kept = 0;
  o.degenerate = true;
  return o;
}

Observables computeObservables(double* lambda, int64_t m, double beta) {
  if (m <= 0 || !(lambda[0] > 0.0) || !std::isfinite(lambda[0])) return degenerateObservables();
  const double cutoff = kRelativeCutoff * lambda[0];
  int64_t kept = 0;
  double trace = 0.0;
  for (int64_t k = 0; k < m; ++k) {
    if (lambda[k] > cutoff) {
      trace += lambda[k];
      kept = k + 1;
    } else {
      lambda[k] = 0.0;
    }
  }
  double sumP2 = 0.0, entropy = 0.0;
  // SHC(beta) = beta^2 Var_q(E), E_k = -ln p_k, q_k proportional to p_k^beta.
  // Weights are formed relative to the largest (p_1^beta) so large beta cannot overflow.
  const double logP1 = std::log(lambda[0] / trace);
  double z = 0.0, meanE = 0.0;
  for (int64_t k = 0; k < kept; ++k) {
    if (lambda[k] <= 0.0) continue;
    const double p = lambda[k] / trace;
    const double e = -std::log(p);
    sumP2 += p * p;
    entropy += p * e;
    const double w = std::exp(beta * (-e - logP1));
    z += w;
    meanE += w * e;
  }
  meanE /= z;
  // Variance from deviations (a second pass) so it is not lost to cancellation.
  double var = 0.0;
  for (int64_t k = 0; k < kept; ++k) {
    if (lambda[k] <= 0.0) continue;
    const double p = lambda[k] / trace;
    const double e = -std::log(p);
    const double w = std::exp(beta * (-e - logP1));
    var += w * (e - meanE) * (e - meanE);
  }
  var /= z;
  Observables o;
  o.trace = trace;
  o.pr = 1.0 / sumP2;
  o.entropy = entropy;
  // beta^2 overflows for beta above ~1e154; the product then needs logs (var = 0 stays 0).
  const double beta2 = beta * beta;
  o.shc = std::isfinite(beta2) ? beta2 * var : var > 0 ? std::exp(2.0 * std::log(beta) + std::log(var)) : 0.0;
  o.topShare = lambda[0] / trace;
  o.kept = kept;
  o.degenerate = false;
  return o;
}

}  // namespace rdm2
