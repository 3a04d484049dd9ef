#include "window_state.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>

#include "batch_windows.hpp"
#include "covariance_window.hpp"
#include "pending_journal.hpp"
#include "reference_eigensolver.hpp"
#include "spectrum.hpp"
#include "window_projection.hpp"

namespace rdm2 {

WindowState::WindowState(int64_t probes, const SpectrumOptions& spectrum, int64_t rebuildPeriod,
                         const KernelTable& kernels)
    : n_(probes),
      np_(paddedLength(probes)),
      W_(spectrum.window),
      rebuildPeriod_(rebuildPeriod > 0 ? rebuildPeriod : spectrum.window),
      spectrum_(spectrum),
      k_(kernels),
      dual_(spectrum.window <= probes),
      deflation_(spectrum.window, spectrum.detrend) {
  if (probes < 1) throw CoreError("probes must be >= 1");
  if (W_ < 2) throw CoreError("window must be >= 2");
  rows_.resize((W_ + 1) * np_);
  block_.resize(W_);
  for (int64_t s = 0; s < W_; ++s) block_[s] = s;
  spare_ = W_;
  ref_.resize(np_);
  y_.resize(np_);
  if (dual_) gram_.assign(W_ * W_, 0.0);
  bad_.assign(W_, 0);
  ptrs_.resize(W_);
  dots_.resize(W_);
}

bool WindowState::containsBad() const {
  for (int64_t s = 0; s < filled(); ++s)
    if (bad_[s]) return true;
  return false;
}

void WindowState::push(const double* x, bool bad) {
  const int64_t slot = count_ % W_;
  double* dst = row(slot);
  if (bad) {
    // Equal to the reference of its time (zero deviation).
    if (hasRef_)
      std::memcpy(dst, ref_.data(), sizeof(double) * np_);
    else
      std::fill(dst, dst + np_, 0.0);
  } else {
    if (x == stagingRow()) {
      std::swap(block_[slot], spare_);
      dst = row(slot);
    } else {
      std::memcpy(dst, x, sizeof(double) * n_);
    }
    std::fill(dst + n_, dst + np_, 0.0);
    if (!hasRef_) {
      std::memcpy(ref_.data(), dst, sizeof(double) * np_);
      hasRef_ = true;
      // Earlier rows were all bad: make them equal to the reference too.
      for (int64_t s = 0; s < filled(); ++s)
        if (s != slot) std::memcpy(row(s), ref_.data(), sizeof(double) * np_);
    }
  }
  bad_[slot] = bad ? 1 : 0;
  ++count_;
  if (dual_) {
    const int64_t f = filled();
    if (bad) {
      for (int64_t s = 0; s < f; ++s) gram_[slot * W_ + s] = gram_[s * W_ + slot] = 0.0;
    } else {
      double sigma = scaleChosen_ ? std::ldexp(1.0, -scaleExp_) : 1.0;
      const double mx = k_.deviation(dst, ref_.data(), sigma, n_, np_, y_.data());
      const bool finite = mx <= std::numeric_limits<double>::max();
      bool rebuilt = false;
      if (!scaleChosen_ && finite && mx > 0) {
        // Every earlier row deviates by exactly zero, so only this one needs scaling.
        scaleExp_ = scaleExponentFor(mx);
        scaleChosen_ = true;
        sigma = std::ldexp(1.0, -scaleExp_);
        for (int64_t c = 0; c < n_; ++c) y_.data()[c] *= sigma;
      } else if (scaleChosen_ && (!finite || mx > kPushLimit)) {
        rebuild(-1);
        rebuilt = true;
      }
      if (!rebuilt) {
        for (int64_t s = 0; s < f; ++s) ptrs_[s] = row(s);
        k_.dotsFromRaw(ptrs_.data(), static_cast<int>(f), ref_.data(), sigma, y_.data(), np_, dots_.data());
        for (int64_t s = 0; s < f; ++s) gram_[slot * W_ + s] = gram_[s * W_ + slot] = dots_[s];
        level_ = std::max(level_, dots_[slot]);
      }
    }
  }
  if (count_ < W_) return;
  ++sinceRebuild_;
  // Every rebuildPeriod pushes the reference moves to the newest row, so the deviations
  // stay small when the losses drift (the window's covariance does not depend on it).
  if (count_ > W_ && !bad && sinceRebuild_ >= rebuildPeriod_) {
    if (dual_)
      moveReference(slot);
    else {
      std::memcpy(ref_.data(), row(slot), sizeof(double) * np_);
      sinceRebuild_ = 0;
    }
  }
}

void WindowState::moveReference(int64_t slot) {
  // G' = G - a 1^T - 1 a^T + (d.d) 1 1^T with a = Y d: the new row's own dot products.
  const double dd = gram_[slot * W_ + slot];
  std::vector<double> a(W_);
  for (int64_t i = 0; i < W_; ++i) {
    a[i] = gram_[i * W_ + slot];
    level_ = std::max(level_, gram_[i * W_ + i]);
  }
  for (int64_t i = 0; i < W_; ++i) {
    for (int64_t j = i; j < W_; ++j) {
      const double v = ((gram_[i * W_ + j] - a[i]) - a[j]) + dd;
      gram_[i * W_ + j] = v;
      gram_[j * W_ + i] = v;
    }
    level_ = std::max(level_, gram_[i * W_ + i]);
  }
  std::memcpy(ref_.data(), row(slot), sizeof(double) * np_);
  sinceRebuild_ = 0;
  ++gramEpoch_;
}

void WindowState::rebuild(int64_t refSlot) {
  if (refSlot >= 0) std::memcpy(ref_.data(), row(refSlot), sizeof(double) * np_);
  const int64_t f = filled();
  double mx = 0;
  for (int64_t s = 0; s < f; ++s) {
    const double d = k_.deviation(row(s), ref_.data(), 1.0, n_, np_, y_.data());
    if (d <= std::numeric_limits<double>::max()) mx = std::max(mx, d);
  }
  scaleExp_ = scaleExponentFor(mx);
  scaleChosen_ = mx > 0;
  const double sigma = std::ldexp(1.0, -scaleExp_);
  for (int64_t i = 0; i < f; ++i) {
    for (int64_t s = 0; s <= i; ++s) ptrs_[s] = row(s);
    k_.deviation(row(i), ref_.data(), sigma, n_, np_, y_.data());
    k_.dotsFromRaw(ptrs_.data(), static_cast<int>(i + 1), ref_.data(), sigma, y_.data(), np_, dots_.data());
    for (int64_t s = 0; s <= i; ++s) {
      gram_[i * W_ + s] = dots_[s];
      gram_[s * W_ + i] = dots_[s];
    }
  }
  level_ = 0;
  for (int64_t s = 0; s < f; ++s) level_ = std::max(level_, gram_[s * W_ + s]);
  sinceRebuild_ = 0;
  ++gramEpoch_;
}

PreparedWindow WindowState::prepare() {
  if (!full()) throw CoreError("window is not full");
  PreparedWindow p;
  if (containsBad()) {
    p.kind = PreparedWindow::Kind::Bad;
    return p;
  }
  if (!dual_) {
    AlignedBuffer X(W_ * np_);
    for (int64_t i = 0; i < W_; ++i) std::memcpy(X.data() + i * np_, row(slotOf(i)), sizeof(double) * np_);
    p.scaleExp = centreRows(X.data(), W_, n_, np_, spectrum_.detrend);
    p.order = n_;
    p.matrix.assign(n_ * n_, 0.0);
    ColumnGram(W_, n_, k_).compute(X.data(), np_, p.matrix.data());
    for (double v : p.matrix)
      if (!std::isfinite(v)) p.kind = PreparedWindow::Kind::NonFinite;
    return p;
  }
  std::vector<int64_t> slots(W_);
  for (int64_t i = 0; i < W_; ++i) slots[i] = slotOf(i);
  std::vector<double> M(W_ * W_);
  Conditioning c = gatherWindowGram(gram_.data(), W_, slots.data(), W_, M.data(), 1);
  if (!c.good(W_, level_)) {
    rebuild(slots[nearestToMean(gram_.data(), W_, slots.data(), W_, c.finite)]);
    c = gatherWindowGram(gram_.data(), W_, slots.data(), W_, M.data(), 1);
  }
  if (!c.finite) {
    p.kind = PreparedWindow::Kind::NonFinite;
    return p;
  }
  std::vector<double> work(W_);
  const Deflation& d = deflation_;
  k_.deflateOne(static_cast<int>(W_), W_, d.h1.data(), d.beta1, d.h2.empty() ? nullptr : d.h2.data(), d.beta2, M.data(),
                work.data());
  const int64_t N = d.order(), q = d.removed;
  p.order = N;
  p.scaleExp = scaleExp_;
  p.matrix.assign(std::max<int64_t>(N, 0) * std::max<int64_t>(N, 0), 0.0);
  for (int64_t i = 0; i < N; ++i)
    for (int64_t j = 0; j <= i; ++j) p.matrix[i * N + j] = M[(i + q) * W_ + j + q];
  return p;
}

namespace {

// Eigenvalues (descending, divided by W - 1) and, with k > 0, the top k eigenvectors of a
// prepared matrix; false when neither solver converged. Small orders take rdm2's scalar
// solver, larger ones Eigen's, whichever is faster (docs/benchmarks.md): one window at a
// time, the QL iteration is a chain of dependent divisions no instruction set shortens.
constexpr int64_t kSingleOrderLimit = 40;

bool solveMatrix(const KernelTable& k, const PreparedWindow& p, int64_t W, int64_t vectors, std::vector<double>& values,
                 std::vector<double>& vecs) {
  const int64_t N = p.order;
  values.assign(N, 0.0);
  vecs.assign(std::max<int64_t>(vectors, 1) * N, 0.0);
  bool ok = false;
  if (N <= kSingleOrderLimit) {
    std::vector<double> a(p.matrix), work(k.solveOneWorkspace(static_cast<int>(N), static_cast<int>(vectors)));
    ok = k.solveOne(static_cast<int>(N), N, static_cast<int>(vectors), a.data(), work.data(), values.data(),
                    vecs.data());
  }
  if (!ok) ok = referenceEigensolve(N, N, p.matrix.data(), vectors, values.data(), vecs.data());
  if (!ok) return false;
  for (double& v : values) v /= static_cast<double>(W - 1);
  std::sort(values.begin(), values.end(), std::greater<double>());
  return true;
}

// A Gram held in slot order: its deflated, time-ordered matrix.
PreparedWindow deflated(const KernelTable& k, const PreparedWindow& g, Detrend detrend) {
  const int64_t W = g.order;
  std::vector<int64_t> slots(W);
  for (int64_t i = 0; i < W; ++i) slots[i] = (g.oldest + i) % W;
  std::vector<double> M(W * W), work(W);
  gatherWindowGram(g.matrix.data(), W, slots.data(), W, M.data(), 1);
  const Deflation d(W, detrend);
  k.deflateOne(static_cast<int>(W), W, d.h1.data(), d.beta1, d.h2.empty() ? nullptr : d.h2.data(), d.beta2, M.data(),
               work.data());
  PreparedWindow p;
  const int64_t N = d.order(), q = d.removed;
  p.order = N;
  p.scaleExp = g.scaleExp;
  p.matrix.assign(std::max<int64_t>(N, 0) * std::max<int64_t>(N, 0), 0.0);
  for (int64_t i = 0; i < N; ++i)
    for (int64_t j = 0; j <= i; ++j) p.matrix[i * N + j] = M[(i + q) * W + j + q];
  return p;
}

}  // namespace

void solvePreparedWindow(const KernelTable& k, const PreparedWindow& given, int64_t W, Detrend detrend, int64_t m,
                         double beta, SpectrumOut& out) {
  const PreparedWindow p = given.kind == PreparedWindow::Kind::Gram ? deflated(k, given, detrend) : given;
  std::vector<double> values, vecs;
  if (p.kind != PreparedWindow::Kind::Matrix || !solveMatrix(k, p, W, 0, values, vecs)) {
    out.obs = degenerateWindow(m, 0, 0, out.eigenvalues, nullptr);
    return;
  }
  out.obs = finishSpectrum(values.data(), p.order, m, p.scaleExp, beta, out.eigenvalues);
}

int64_t WindowState::longestRecord() const {
  return recordLength(RecordTag::Base, dual_ ? W_ : n_);
}

int64_t WindowState::appendPending(double* chunk, int64_t length, int64_t at, bool freshChunk) {
  if (!full()) throw CoreError("window is not full");
  if (at < 0 || length - at < longestRecord()) throw CoreError("the journal chunk has no room for a record");
  RecordHeader h;
  double* out = chunk + at;
  if (!dual_) {
    const PreparedWindow p = prepare();
    h.kind = p.kind;
    h.order = n_;
    h.scaleExp = p.scaleExp;
    h.base = at;
    writeRecordHeader(h, out);
    if (p.kind == PreparedWindow::Kind::Matrix)
      std::copy(p.matrix.begin(), p.matrix.end(), out + kRecordHeader);
    else
      std::fill(out + kRecordHeader, out + kRecordHeader + n_ * n_, 0.0);
    return at + recordLength(RecordTag::Base, n_);
  }
  // The window's kind, with the same checks (and rebuild) as prepare().
  h.kind = PreparedWindow::Kind::Gram;
  if (containsBad()) {
    h.kind = PreparedWindow::Kind::Bad;
  } else {
    Conditioning c = conditioningOf(gram_.data(), W_);
    if (!c.good(W_, level_)) {
      std::vector<int64_t> slots(W_);
      for (int64_t i = 0; i < W_; ++i) slots[i] = slotOf(i);
      rebuild(slots[nearestToMean(gram_.data(), W_, slots.data(), W_, c.finite)]);
      c = conditioningOf(gram_.data(), W_);
    }
    if (!c.finite) h.kind = PreparedWindow::Kind::NonFinite;
  }
  if (h.kind == PreparedWindow::Kind::Gram) {
    h.scaleExp = scaleExp_;
    h.oldest = slotOf(0);
  }
  h.order = W_;
  // The Gram itself is journaled for every kind: later windows are rebuilt from it.
  const bool base = freshChunk || journaledEpoch_ != gramEpoch_ || journaledCount_ != count_ - 1;
  journaledEpoch_ = gramEpoch_;
  journaledCount_ = count_;
  if (base) {
    h.tag = RecordTag::Base;
    h.base = journalBase_ = at;
    writeRecordHeader(h, out);
    std::memcpy(out + kRecordHeader, gram_.data(), sizeof(double) * W_ * W_);
    return at + recordLength(RecordTag::Base, W_);
  }
  // Only the newest row's slot changed since the last record: its row (= its column).
  h.tag = RecordTag::Column;
  h.base = journalBase_;
  h.slot = (count_ - 1) % W_;
  writeRecordHeader(h, out);
  std::memcpy(out + kRecordHeader, gram_.data() + h.slot * W_, sizeof(double) * W_);
  return at + recordLength(RecordTag::Column, W_);
}

void WindowState::spectrum(SpectrumOut& out) {
  const int64_t m = eigenCount(), topK = spectrum_.topK;
  const PreparedWindow p = prepare();
  float* vectors = topK > 0 ? out.eigenvectors : nullptr;
  std::vector<double> values, vecs;
  if (p.kind != PreparedWindow::Kind::Matrix || !solveMatrix(k_, p, W_, topK, values, vecs)) {
    out.obs = degenerateWindow(m, topK, n_, out.eigenvalues, vectors);
    return;
  }
  out.obs = finishSpectrum(values.data(), p.order, m, p.scaleExp, spectrum_.beta, out.eigenvalues);
  if (!vectors) return;
  const int64_t N = p.order;
  std::vector<double> u(W_), probe(np_);
  for (int64_t i = 0; i < W_; ++i) ptrs_[i] = row(slotOf(i));
  for (int64_t v = 0; v < topK; ++v) {
    float* dst = vectors + v * n_;
    if (out.obs.degenerate || v >= out.obs.kept) {
      std::fill(dst, dst + n_, std::numeric_limits<float>::quiet_NaN());
      continue;
    }
    if (dual_) {
      // v = Y^T u, u = H [0; z] in time order (orthogonal to 1, so the reference cancels).
      deflation_.expand(vecs.data() + v * N, u.data());
      k_.combineRows(ptrs_.data(), u.data(), static_cast<int>(W_), ref_.data(), np_, probe.data());
      finishVector(probe.data(), n_, dst);
    } else {
      finishVector(vecs.data() + v * N, n_, dst);
    }
  }
}

WindowState::Saved WindowState::save() const {
  Saved out;
  out.rows.resize(W_ * n_);
  for (int64_t s = 0; s < W_; ++s) std::memcpy(out.rows.data() + s * n_, row(s), sizeof(double) * n_);
  out.gram = gram_;
  out.reference.assign(ref_.data(), ref_.data() + n_);
  out.positions.resize(W_);
  for (int64_t s = 0; s < W_; ++s) out.positions[s] = s < count_ ? count_ - 1 - ((count_ - 1 - s) % W_) : 0;
  out.bad = bad_;
  out.count = count_;
  out.sinceRebuild = sinceRebuild_;
  out.hasReference = hasRef_;
  out.scaleExp = scaleExp_;
  out.scaleChosen = scaleChosen_;
  out.level = level_;
  return out;
}

void WindowState::load(const Saved& in) {
  auto fail = [](const std::string& why) {
    throw CoreError("saved window state is not one this monitor could reach: " + why);
  };
  if (static_cast<int64_t>(in.rows.size()) != W_ * n_)
    fail("rows has " + std::to_string(in.rows.size()) + " values, expected W x n = " + std::to_string(W_ * n_));
  if (static_cast<int64_t>(in.gram.size()) != (dual_ ? W_ * W_ : 0))
    fail("gram has " + std::to_string(in.gram.size()) + " values, expected " + std::to_string(dual_ ? W_ * W_ : 0));
  if (static_cast<int64_t>(in.reference.size()) != n_)
    fail("reference has " + std::to_string(in.reference.size()) + " values, expected " + std::to_string(n_));
  if (static_cast<int64_t>(in.positions.size()) != W_)
    fail("positions has " + std::to_string(in.positions.size()) + " values, expected " + std::to_string(W_));
  if (static_cast<int64_t>(in.bad.size()) != W_)
    fail("bad has " + std::to_string(in.bad.size()) + " values, expected " + std::to_string(W_));
  constexpr int64_t kMaxCount = (int64_t{1} << 53) - 1;
  if (in.count < 0 || in.count > kMaxCount) fail("count " + std::to_string(in.count) + " is out of range");
  // The counter starts when the window fills, and a good push past the window resets it
  // once it reaches the rebuild period.
  const int64_t maxSince = in.count >= W_ ? in.count - W_ + 1 : 0;
  const int64_t newest = in.count > 0 ? (in.count - 1) % W_ : 0;
  if (in.sinceRebuild < 0 || in.sinceRebuild > maxSince ||
      (in.count > W_ && newest < static_cast<int64_t>(in.bad.size()) && !in.bad[newest] &&
       in.sinceRebuild >= rebuildPeriod_))
    fail("sinceRebuild " + std::to_string(in.sinceRebuild) + " is not a value a monitor with count " +
         std::to_string(in.count) + " can hold");
  if (in.scaleExp < -1100 || in.scaleExp > 1100 || (!in.scaleChosen && in.scaleExp != 0))
    fail("scaleExp " + std::to_string(in.scaleExp) + " is out of range");
  if (!(in.level >= 0) || !std::isfinite(in.level) || (!dual_ && in.level != 0))
    fail("level must be a finite number >= 0");
  const int64_t f = in.count < W_ ? in.count : W_;
  for (int64_t s = 0; s < W_; ++s) {
    if (in.bad[s] > 1) fail("bad flags must be 0 or 1");
    if (s >= f && in.bad[s]) fail("a slot that was never filled is flagged bad");
    const int64_t expected = s < in.count ? in.count - 1 - ((in.count - 1 - s) % W_) : 0;
    if (in.positions[s] != expected) fail("positions do not match count");
  }
  for (double v : in.rows)
    if (!std::isfinite(v)) fail("rows hold a non-finite value");
  for (double v : in.reference)
    if (!std::isfinite(v)) fail("reference holds a non-finite value");
  if (!in.hasReference) {
    for (int64_t s = 0; s < f; ++s)
      if (!in.bad[s]) fail("hasReference is false but the window holds a good row");
  } else if (in.count == 0) {
    fail("hasReference is true before any row");
  }
  if (dual_) {
    // The Gram must be the one of these rows: symmetric, and equal to a fresh computation
    // to the rounding of the shifts it has been through.
    const double sigma = std::ldexp(1.0, -in.scaleExp);
    std::vector<double> y(np_), x(np_), r(np_, 0.0);
    std::copy(in.reference.begin(), in.reference.end(), r.begin());
    std::vector<double> dev(f * n_);
    double largest = 0;
    for (int64_t s = 0; s < f; ++s)
      for (int64_t c = 0; c < n_; ++c) dev[s * n_ + c] = (in.rows[s * n_ + c] - r[c]) * sigma;
    for (int64_t i = 0; i < W_; ++i)
      for (int64_t j = 0; j < W_; ++j) {
        const double g = in.gram[i * W_ + j];
        if (!std::isfinite(g)) fail("gram holds a non-finite value");
        if (g != in.gram[j * W_ + i]) fail("gram is not symmetric");
        if ((i >= f || j >= f) && g != 0) fail("gram has entries for slots that were never filled");
      }
    for (int64_t i = 0; i < f; ++i) {
      double gii = 0;
      for (int64_t c = 0; c < n_; ++c) gii += dev[i * n_ + c] * dev[i * n_ + c];
      largest = std::max(largest, gii);
      // The level is at least every diagonal entry (it only grows between rebuilds).
      if (in.gram[i * W_ + i] > in.level) fail("level is below the Gram's diagonal");
    }
    const double tolerance = 1e-6 * largest + 1e-280;
    for (int64_t i = 0; i < f; ++i)
      for (int64_t j = 0; j <= i; ++j) {
        double g = 0;
        for (int64_t c = 0; c < n_; ++c) g += dev[i * n_ + c] * dev[j * n_ + c];
        if (!(std::fabs(g - in.gram[i * W_ + j]) <= tolerance)) fail("gram does not match the rows");
      }
  }
  for (int64_t s = 0; s < W_; ++s) {
    std::memcpy(row(s), in.rows.data() + s * n_, sizeof(double) * n_);
    std::fill(row(s) + n_, row(s) + np_, 0.0);
  }
  std::copy(in.reference.begin(), in.reference.end(), ref_.data());
  std::fill(ref_.data() + n_, ref_.data() + np_, 0.0);
  if (dual_) gram_ = in.gram;
  bad_ = in.bad;
  count_ = in.count;
  sinceRebuild_ = in.sinceRebuild;
  hasRef_ = in.hasReference;
  scaleExp_ = in.scaleExp;
  scaleChosen_ = in.scaleChosen;
  level_ = in.level;
  ++gramEpoch_;
}

}  // namespace rdm2
