#include "window_state.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace rdm2 {

WindowState::WindowState(int64_t probes, int64_t window, int64_t rebuildPeriod, bool scratch, SolvePath path)
    : n_(probes),
      W_(window),
      rebuildPeriod_(rebuildPeriod > 0 ? rebuildPeriod : window),
      dual_(path == SolvePath::Auto ? window <= probes : path == SolvePath::Gram),
      scratch_(scratch) {
  if (probes < 1) throw CoreError("probes must be >= 1");
  if (window < 2) throw CoreError("window must be >= 2");
  Y_.setZero(W_, n_);
  if (dual_) G_.setZero(W_, W_);
  ref_.setZero(n_);
  newRow_.setZero(n_);
  pos_.assign(W_, 0);
  bad_.assign(W_, 0);
}

void WindowState::reset() {
  Y_.setZero();
  if (dual_) G_.setZero();
  ref_.setZero();
  std::fill(pos_.begin(), pos_.end(), 0);
  std::fill(bad_.begin(), bad_.end(), 0);
  count_ = 0;
  sinceRebuild_ = 0;
  hasRef_ = false;
}

bool WindowState::containsBad() const {
  const int64_t filled = std::min(count_, W_);
  for (int64_t s = 0; s < filled; ++s)
    if (bad_[s]) return true;
  return false;
}

void WindowState::push(const double* row, bool bad) {
  const int64_t slot = count_ % W_;
  Eigen::Map<const Eigen::VectorXd> x(row, n_);
  if (!hasRef_ && !bad) {
    ref_ = x;
    hasRef_ = true;
  }
  if (bad) {
    Y_.row(slot).setZero();
  } else {
    // x - r for nearby doubles is exact (Sterbenz), so large loss offsets
    // leave the fluctuations intact.
    Y_.row(slot) = (x - ref_).transpose();
  }
  pos_[slot] = count_;
  bad_[slot] = bad ? 1 : 0;
  ++count_;
  if (count_ < W_) return;  // still filling: one rebuild when full is cheaper
  ++sinceRebuild_;
  // Every rebuildPeriod pushes the reference moves to the newest row, so the
  // deviations stay small when the losses drift (the window's covariance does
  // not depend on the reference). Bad rows shift with the others: a bad row is
  // stored as "equal to the reference of its time", consistently.
  const bool reref = count_ > W_ && !bad && (scratch_ || sinceRebuild_ >= rebuildPeriod_);
  if (!dual_ || scratch_ || count_ == W_) {
    if (reref) {
      newRow_ = Y_.row(slot).transpose();  // d = x - r_old
      Y_.rowwise() -= newRow_.transpose();
      ref_ = x;
      sinceRebuild_ = 0;
    }
    if (dual_) rebuild();  // the first full window, or the scratch benchmark mode
    return;
  }
  // Only the new row's W dot products: one row/column of the Gram changes.
  gramRow_.noalias() = Y_ * Y_.row(slot).transpose();
  G_.row(slot) = gramRow_.transpose();
  G_.col(slot) = gramRow_;
  if (reref) {
    // Shifting every row by d = x - r_old changes the Gram by
    // G' = G - a 1^T - 1 a^T + (d.d) 1 1^T with a = Y d, and a is exactly the
    // new row's dot products just computed (the new row is d). So the move
    // costs no dot products; each Gram entry is still computed once, when its
    // newer row arrives, against a reference at most rebuildPeriod rows old.
    const double dd = gramRow_(slot);
    newRow_ = Y_.row(slot).transpose();
    Y_.rowwise() -= newRow_.transpose();
    G_.colwise() -= gramRow_;
    G_.rowwise() -= gramRow_.transpose();
    G_.array() += dd;
    ref_ = x;
    sinceRebuild_ = 0;
  }
}

WindowState::Saved WindowState::save() const {
  Saved out;
  out.deviations.assign(Y_.data(), Y_.data() + Y_.size());
  if (dual_) out.gram.assign(G_.data(), G_.data() + G_.size());
  out.reference.assign(ref_.data(), ref_.data() + ref_.size());
  out.positions = pos_;
  out.bad = bad_;
  out.count = count_;
  out.sinceRebuild = sinceRebuild_;
  out.hasReference = hasRef_;
  return out;
}

void WindowState::load(const Saved& in) {
  if (static_cast<int64_t>(in.deviations.size()) != W_ * n_ ||
      static_cast<int64_t>(in.gram.size()) != (dual_ ? W_ * W_ : 0) ||
      static_cast<int64_t>(in.reference.size()) != n_ || static_cast<int64_t>(in.positions.size()) != W_ ||
      static_cast<int64_t>(in.bad.size()) != W_ || in.count < 0 || in.sinceRebuild < 0)
    throw CoreError("saved window state does not match this window's size");
  std::copy(in.deviations.begin(), in.deviations.end(), Y_.data());
  if (dual_) std::copy(in.gram.begin(), in.gram.end(), G_.data());
  std::copy(in.reference.begin(), in.reference.end(), ref_.data());
  pos_ = in.positions;
  bad_ = in.bad;
  count_ = in.count;
  sinceRebuild_ = in.sinceRebuild;
  hasRef_ = in.hasReference;
}

void WindowState::rebuild() {
  G_.setZero();
  G_.selfadjointView<Eigen::Lower>().rankUpdate(Y_);
  G_.triangularView<Eigen::StrictlyUpper>() = G_.transpose();
  sinceRebuild_ = 0;
}

void WindowState::buildProjector(Detrend detrend) {
  const int64_t q = detrend == Detrend::Linear ? 2 : 1;
  Q_.resize(W_, q);
  Q_.col(0).setConstant(1.0 / std::sqrt(static_cast<double>(W_)));
  if (q == 2) {
    // tau by each slot's time position, not its ring index.
    double mean = 0.0;
    for (int64_t s = 0; s < W_; ++s) mean += static_cast<double>(pos_[s]);
    mean /= static_cast<double>(W_);
    double norm2 = 0.0;
    for (int64_t s = 0; s < W_; ++s) {
      const double tau = static_cast<double>(pos_[s]) - mean;
      Q_(s, 1) = tau;
      norm2 += tau * tau;
    }
    Q_.col(1) /= std::sqrt(norm2);
  }
}

void WindowState::spectrum(const SpectrumOptions& opts, SpectrumOut& out) {
  if (!full()) throw CoreError("window is not full");
  const int64_t m = eigenCount();
  const int64_t topK = opts.topK;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto fillDegenerate = [&](double eigValue) {
    out.obs = degenerateObservables();
    for (int64_t k = 0; k < m; ++k) out.eigenvalues[k] = eigValue;
    if (topK > 0 && out.eigenvectors)
      std::fill(out.eigenvectors, out.eigenvectors + topK * n_, std::numeric_limits<float>::quiet_NaN());
  };
  if (containsBad()) {
    fillDegenerate(nan);
    return;
  }
  buildProjector(opts.detrend);
  const bool wantVectors = topK > 0;
  const double denom = static_cast<double>(W_ - 1);
  if (dual_) {
    // M = P G P with P = I - Q Q^T, in O(W^2 q).
    A_.noalias() = G_ * Q_;              // W x q
    B_.noalias() = Q_.transpose() * A_;  // q x q
    A_.noalias() -= 0.5 * Q_ * B_;       // M = G - Q A'^T - A' Q^T with A' = A - Q B / 2
    // A rank-2q correction, written as plain loops: for q <= 2 the general
    // product machinery costs more than the arithmetic.
    M_.resize(W_, W_);
    const int64_t q = Q_.cols();
    for (int64_t j = 0; j < W_; ++j) {
      for (int64_t i = 0; i < W_; ++i) {
        double m = G_(i, j);
        for (int64_t c = 0; c < q; ++c) m -= Q_(i, c) * A_(j, c) + A_(i, c) * Q_(j, c);
        M_(i, j) = m;
      }
    }
  } else {
    // n < W: C = X^T X with X = P Y, formed directly (n x n is the small side).
    A_.noalias() = Q_.transpose() * Y_;  // q x n
    X_ = Y_;
    X_.noalias() -= Q_ * A_;
    M_.setZero(n_, n_);
    M_.selfadjointView<Eigen::Lower>().rankUpdate(X_.transpose());
    M_.triangularView<Eigen::StrictlyUpper>() = M_.transpose();
  }
  if (!M_.allFinite()) {
    fillDegenerate(nan);
    return;
  }
  solver_.compute(M_, wantVectors ? Eigen::ComputeEigenvectors : Eigen::EigenvaluesOnly);
  const auto& solver = solver_;
  if (solver.info() != Eigen::Success) {
    fillDegenerate(nan);
    return;
  }
  const Eigen::VectorXd& ev = solver.eigenvalues();  // ascending
  const int64_t dim = ev.size();
  for (int64_t k = 0; k < m; ++k) out.eigenvalues[k] = ev(dim - 1 - k) / denom;
  out.obs = computeObservables(out.eigenvalues, m, opts.beta);
  if (out.obs.degenerate) {
    const double fill = std::isfinite(out.eigenvalues[0]) ? 0.0 : nan;
    fillDegenerate(fill);
    return;
  }
  if (!wantVectors || !out.eigenvectors) return;
  Eigen::VectorXd v(n_), u;
  for (int64_t k = 0; k < topK; ++k) {
    float* dst = out.eigenvectors + k * n_;
    if (k >= out.obs.kept) {
      // Beyond the window's rank there is no meaningful direction.
      std::fill(dst, dst + n_, std::numeric_limits<float>::quiet_NaN());
      continue;
    }
    if (dual_) {
      u = solver.eigenvectors().col(dim - 1 - k);
      u.noalias() -= Q_ * (Q_.transpose() * u);  // P u = u in exact arithmetic
      v.noalias() = Y_.transpose() * u;          // v = Y^T u / sqrt(mu)
      v /= v.norm();
    } else {
      v = solver.eigenvectors().col(dim - 1 - k);
    }
    // Sign rule: the entry of largest magnitude is positive.
    Eigen::Index arg = 0;
    v.cwiseAbs().maxCoeff(&arg);
    if (v(arg) < 0) v = -v;
    for (int64_t i = 0; i < n_; ++i) dst[i] = static_cast<float>(v(i));
  }
}

}  // namespace rdm2
