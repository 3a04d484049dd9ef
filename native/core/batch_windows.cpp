#include "batch_windows.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>

#include "covariance_window.hpp"
#include "reference_eigensolver.hpp"
#include "row_input.hpp"
#include "spectrum.hpp"
#include "window_projection.hpp"

namespace rdm2 {

namespace {

void scaleRow(double* y, int64_t n, double factor) {
  for (int64_t c = 0; c < n; ++c) y[c] *= factor;
}

}  // namespace

BatchWindows::BatchWindows(const InputMatrix& input, const AnalysisOptions& opts, const KernelTable& kernels,
                           AnalysisResult& out, SolveQueue* queue, std::atomic<int64_t>* firstBad)
    : input_(input),
      opts_(opts),
      k_(kernels),
      out_(out),
      n_(input.cols),
      np_(paddedLength(input.cols)),
      W_(opts.spectrum.window),
      s_(opts.stride),
      topK_(opts.spectrum.topK),
      m_(std::min(opts.spectrum.window - 1, input.cols)),
      dual_(opts.path == SolvePath::Auto ? opts.spectrum.window <= input.cols : opts.path == SolvePath::Gram),
      deflation_(opts.spectrum.window, opts.spectrum.detrend),
      order_(dual_ ? deflation_.order() : input.cols),
      lanes_(order_ >= 1 && order_ <= kLaneOrderLimit),
      laneCount_(lanes_ ? kernels.lanes : 1),
      moveEvery_(opts.rebuildPeriod > 0 ? opts.rebuildPeriod : opts.spectrum.window),
      // The reference moves at tile ends: no tile longer than a window keeps it from
      // moving as often as rebuildPeriod asks.
      tile_(std::min<int64_t>(kTileRows, opts.spectrum.window)),
      direct_(opts.transform == Transform::None && input.colStride == 1),
      // Only eigenvalue-only batches travel: eigenvectors are mapped back through this
      // engine's ring of rows.
      firstBad_(firstBad),
      queue_(queue && dual_ && lanes_ && opts.spectrum.topK == 0 ? queue : nullptr) {
  const int64_t dim = dual_ ? W_ : n_;
  const int64_t L = laneCount_;
  raw_.resize(np_);
  if (dual_) {
    // Pending windows keep their rows until their eigenvectors are mapped back.
    cap_ = W_ + tile_ + (topK_ > 0 && s_ < W_ ? (L - 1) * s_ : 0);
    rows_.resize(cap_ * np_);
    gram_.resize(cap_ * cap_);
    ref_.resize(np_);
    bad_.assign(cap_, 0);
    bandOut_.resize(cap_ * W_);
    bandWork_.resize(k_.bandDotsWorkspace(static_cast<int>(cap_), static_cast<int>(W_)));
  } else {
    X_.resize(W_ * np_);
    bandOut_.resize(n_ * n_);
    columnGram_ = std::make_unique<ColumnGram>(W_, n_, k_);
  }
  batch_ = std::make_unique<LaneBatch>();
  batch_->a.resize(dim * dim * L);
  if (dual_) stage_.resize(W_ * W_ * L);
  deflateWork_.resize(dim * L);
  const int64_t order = std::max<int64_t>(order_, 1);
  values_.resize(order * L);
  vectors_.resize(std::max<int64_t>(topK_, 1) * order * L);
  if (lanes_) solveWork_.resize(k_.solveWorkspace(static_cast<int>(order_), static_cast<int>(topK_)));
  failed_.assign(L, 0);
  slots_.resize(W_);
  sorted_.resize(order);
  u_.resize(W_);
  probe_.resize(np_);
}

bool BatchWindows::checksRows(const InputMatrix& input, const AnalysisOptions& opts) {
  const int64_t W = opts.spectrum.window;
  const bool dual = opts.path == SolvePath::Auto ? W <= input.cols : opts.path == SolvePath::Gram;
  return opts.nonFinite != NonFinite::Unchecked && dual && opts.transform == Transform::None && input.colStride == 1 &&
         !input.badRows;
}

const void* BatchWindows::inputRow(int64_t row) const {
  const int64_t elem = input_.dtype == DType::F32 ? 4 : 8;
  return static_cast<const char*>(input_.data) + row * input_.rowStride * elem;
}

// A row read with a non-finite result: whether it holds an unusable loss (rather than a
// deviation that overflowed), recording it for NonFinite::Error.
bool BatchWindows::checkedBad(int64_t row) {
  if (!firstBad_ || k_.firstNonFinite(inputRow(row), input_.dtype == DType::F32, n_) < 0) return false;
  if (opts_.nonFinite == NonFinite::Error) {
    int64_t seen = firstBad_->load();
    while (row < seen && !firstBad_->compare_exchange_weak(seen, row)) {
    }
  }
  return true;
}

void BatchWindows::loadRaw(int64_t row, double* dst) const {
  loadRow(input_, row, opts_.transform, dst);
  std::fill(dst + n_, dst + np_, 0.0);
}

void BatchWindows::resetRing() {
  firstRow_ = 0;
  newest_ = -1;
  hasRef_ = false;
  scaleChosen_ = false;
  scaleExp_ = 0;
  sinceMove_ = 0;
  level_ = 0;
}

void BatchWindows::run(int64_t first, int64_t last) {
  batch_->pending.clear();
  if (!dual_) {
    for (int64_t j = first; j < last; ++j) emitCovariance(j);
    flush();
    return;
  }
  resetRing();
  int64_t nextRow = 0;  // first row not yet pushed
  int64_t j = first;
  const int64_t lastEnd = W_ - 1 + (last - 1) * s_;
  int64_t startedAt = -1;  // the window the ring was last started for
  while (j < last) {
    const int64_t end = W_ - 1 + j * s_;
    const int64_t start = end - W_ + 1;
    if (startedAt != j && (j == first || s_ >= W_)) {
      startedAt = j;
      // Non-overlapping windows start from an empty state, so each one's result depends
      // only on its own rows (a Gaussian block equals itself analysed alone).
      if (j != first) {
        if (topK_ > 0) flush();
        resetRing();
      }
      nextRow = start;
      firstRow_ = start;
    }
    nextEmitStart_ = start;
    // Push a tile ahead: rows of this block's windows (of this window alone when they do
    // not overlap).
    const int64_t b = std::min(nextRow + tile_, (s_ >= W_ ? end : lastEnd) + 1);
    if (nextRow < b) {
      pushTile(nextRow, b);
      nextRow = b;
    }
    while (j < last && W_ - 1 + j * s_ < nextRow) {
      emitDual(j);
      ++j;
      if (s_ >= W_) break;
      nextEmitStart_ = W_ - 1 + j * s_ - W_ + 1;
    }
    if (hasRef_ && sinceMove_ >= moveEvery_ && newest_ >= firstRow_ + W_ - 1 && !bad_[newest_ % cap_])
      moveReference(newest_);
  }
  flush();
}

void BatchWindows::pushTile(int64_t a, int64_t b) {
  if (topK_ > 0 && !batch_->pending.empty() && b - cap_ > batch_->pending.front().start) flush();
  const double sigma = std::ldexp(1.0, -scaleExp_);
  double tileMax = 0;
  bool finite = true;
  for (int64_t r = a; r < b; ++r) {
    double* y = slotRow(r);
    const bool bad = rowBad(r);
    bad_[r % cap_] = bad ? 1 : 0;
    if (bad) {
      // Stored as equal to the reference; every window containing it is degenerate.
      std::fill(y, y + np_, 0.0);
      continue;
    }
    if (!hasRef_) {
      if (firstBad_ && checkedBad(r)) {
        bad_[r % cap_] = 1;
        std::fill(y, y + np_, 0.0);
        continue;
      }
      loadRaw(r, ref_.data());
      hasRef_ = true;
    }
    double mx;
    if (direct_) {
      // Straight from the input row: float32 or float64 converted on the way.
      mx = k_.deviationFrom(inputRow(r), input_.dtype == DType::F32, ref_.data(), scaleChosen_ ? sigma : 1.0, n_, np_,
                            y);
    } else {
      loadRaw(r, y);
      mx = k_.deviation(y, ref_.data(), scaleChosen_ ? sigma : 1.0, n_, np_, y);
    }
    if (!(mx <= std::numeric_limits<double>::max()) && checkedBad(r)) {
      bad_[r % cap_] = 1;
      std::fill(y, y + np_, 0.0);
      continue;
    }
    if (!(mx <= std::numeric_limits<double>::max()))
      finite = false;
    else
      tileMax = std::max(tileMax, mx);
  }
  newest_ = b - 1;
  sinceMove_ += b - a;
  if (!scaleChosen_) {
    if (finite && tileMax > 0) {
      // Every earlier row of this ring deviates by exactly zero, so only this tile scales.
      scaleExp_ = scaleExponentFor(tileMax);
      scaleChosen_ = true;
      const double s = std::ldexp(1.0, -scaleExp_);
      for (int64_t r = a; r < b; ++r)
        if (!bad_[r % cap_]) scaleRow(slotRow(r), n_, s);
    }
  } else if (!finite || tileMax > kPushLimit) {
    rebuildRing(-1, lowestNeededRow());
    return;
  }
  bandInto(std::max(firstRow_, a - W_ + 1), a, b);
  for (int64_t r = a; r < b; ++r) level_ = std::max(level_, gram_.data()[(r % cap_) * (cap_ + 1)]);
}

void BatchWindows::bandInto(int64_t lo, int64_t a, int64_t b) {
  std::vector<const double*> ptrs;
  ptrs.reserve(b - lo);
  for (int64_t r = lo; r < b; ++r) ptrs.push_back(slotRow(r));
  double* out = bandOut_.data();
  k_.bandDots(ptrs.data(), static_cast<int>(b - lo), static_cast<int>(b - a), static_cast<int>(W_), np_, out,
              bandWork_.data());
  double* G = gram_.data();
  for (int64_t i = a; i < b; ++i) {
    const int64_t si = i % cap_;
    for (int64_t k = 0; k < W_; ++k) {
      const int64_t r = i - W_ + 1 + k;
      if (r < lo) continue;
      const int64_t sr = r % cap_;
      const double g = out[(i - a) * W_ + k];
      G[si * cap_ + sr] = g;
      G[sr * cap_ + si] = g;
    }
  }
}

int64_t BatchWindows::lowestNeededRow() const {
  int64_t lowest = nextEmitStart_;
  if (topK_ > 0 && !batch_->pending.empty()) lowest = std::min(lowest, batch_->pending.front().start);
  return std::max(lowest, std::max(firstRow_, newest_ - cap_ + 1));
}

void BatchWindows::moveReference(int64_t row) {
  // Shifting every row by d = y_row changes the Gram by G' = G - a 1^T - 1 a^T + (d.d) 1 1^T
  // with a = Y d, the new row's own dot products: no new dot products are needed.
  const int64_t lo = std::max(firstRow_, row - W_ + 1);
  const int64_t sN = row % cap_;
  double* G = gram_.data();
  const double dd = G[sN * cap_ + sN];
  std::vector<double> a(row - lo + 1);
  for (int64_t i = lo; i <= row; ++i) {
    a[i - lo] = G[(i % cap_) * cap_ + sN];
    level_ = std::max(level_, G[(i % cap_) * cap_ + i % cap_]);
  }
  for (int64_t i = lo; i <= row; ++i) {
    double* gi = G + (i % cap_) * cap_;
    for (int64_t j = i; j <= row; ++j) {
      const double v = ((gi[j % cap_] - a[i - lo]) - a[j - lo]) + dd;
      gi[j % cap_] = v;
      G[(j % cap_) * cap_ + i % cap_] = v;
    }
    level_ = std::max(level_, gi[i % cap_]);
  }
  // Only the rows still read are shifted: those of windows to come and pending eigenvectors
  // (lowestNeededRow()) and those the next tile's dot products reach back to.
  const int64_t needed = std::min(lowestNeededRow(), newest_ - W_ + 2);
  const int64_t validLo = std::max(needed, std::max(firstRow_, newest_ - cap_ + 1));
  std::memcpy(probe_.data(), slotRow(row), sizeof(double) * np_);
  for (int64_t r = validLo; r <= newest_; ++r) k_.deviation(slotRow(r), probe_.data(), 1.0, n_, np_, slotRow(r));
  loadRaw(row, ref_.data());
  sinceMove_ = 0;
}

void BatchWindows::rebuildRing(int64_t refRow, int64_t lowest) {
  if (refRow >= 0) loadRaw(refRow, ref_.data());
  hasRef_ = true;
  double mx = 0;
  for (int64_t r = lowest; r <= newest_; ++r) {
    double* y = slotRow(r);
    if (bad_[r % cap_]) {
      std::fill(y, y + np_, 0.0);
      continue;
    }
    loadRaw(r, y);
    const double d = k_.deviation(y, ref_.data(), 1.0, n_, np_, y);
    if (d <= std::numeric_limits<double>::max()) mx = std::max(mx, d);
  }
  scaleExp_ = scaleExponentFor(mx);
  scaleChosen_ = mx > 0;
  if (scaleExp_ != 0) {
    const double s = std::ldexp(1.0, -scaleExp_);
    for (int64_t r = lowest; r <= newest_; ++r)
      if (!bad_[r % cap_]) scaleRow(slotRow(r), n_, s);
  }
  firstRow_ = lowest;
  sinceMove_ = 0;
  bandInto(lowest, lowest, newest_ + 1);
  level_ = 0;
  for (int64_t r = lowest; r <= newest_; ++r) level_ = std::max(level_, gram_.data()[(r % cap_) * (cap_ + 1)]);
}

void BatchWindows::writeObservables(int64_t j, const Observables& o) {
  for (std::size_t f = 0; f < kObservableCount; ++f) out_.observables[f][j] = o.*kObservableFields[f].value;
  out_.degenerate[j] = o.degenerate ? 1 : 0;
}

void BatchWindows::emitDual(int64_t j) {
  const int64_t end = W_ - 1 + j * s_, start = end - W_ + 1;
  nextEmitStart_ = start;
  out_.t[j] = static_cast<int32_t>(end);
  float* vectors = topK_ > 0 ? out_.vectorsOf(j) : nullptr;
  for (int64_t i = 0; i < W_; ++i)
    if (bad_[(start + i) % cap_]) {
      writeObservables(j, degenerateWindow(m_, topK_, n_, out_.eigenvalues.data() + j * m_, vectors));
      return;
    }
  // The benchmark's from-scratch mode: this window's Gram from its rows.
  if (opts_.scratch) rebuildRing(-1, lowestNeededRow());
  const int64_t lane = static_cast<int64_t>(batch_->pending.size());
  // Gathered into the lane's own stretch of the staging area, interleaved when the batch is
  // full (interleaving one window at a time would write every cache line of the batch).
  double* dst = stage_.data() + lane * W_ * W_;
  for (int64_t i = 0; i < W_; ++i) slots_[i] = (start + i) % cap_;
  Conditioning c = gatherWindowGram(gram_.data(), cap_, slots_.data(), W_, dst, 1);
  if (!c.good(W_, level_)) {
    // The reference is far from this window's rows (or the scale is off): rebuild from the
    // input rows around a row near the window's mean.
    rebuildRing(start + nearestToMean(gram_.data(), cap_, slots_.data(), W_, c.finite), lowestNeededRow());
    c = gatherWindowGram(gram_.data(), cap_, slots_.data(), W_, dst, 1);
  }
  if (!c.finite) {
    writeObservables(j, degenerateWindow(m_, topK_, n_, out_.eigenvalues.data() + j * m_, vectors));
    return;
  }
  batch_->pending.push_back({j, start, scaleExp_});
  if (static_cast<int>(batch_->pending.size()) == laneCount_) flush();
}

int BatchWindows::scratchWindow(int64_t start, double* X) {
  for (int64_t i = 0; i < W_; ++i) loadRaw(start + i, X + i * np_);
  return centreRows(X, W_, n_, np_, opts_.spectrum.detrend);
}

void BatchWindows::emitCovariance(int64_t j) {
  const int64_t end = W_ - 1 + j * s_, start = end - W_ + 1;
  out_.t[j] = static_cast<int32_t>(end);
  float* vectors = topK_ > 0 ? out_.vectorsOf(j) : nullptr;
  for (int64_t r = start; r <= end; ++r)
    if (rowBad(r)) {
      writeObservables(j, degenerateWindow(m_, topK_, n_, out_.eigenvalues.data() + j * m_, vectors));
      return;
    }
  double* X = X_.data();
  const int e = scratchWindow(start, X);
  double* out = bandOut_.data();
  columnGram_->compute(X, np_, out);
  const int64_t lane = static_cast<int64_t>(batch_->pending.size());
  const int64_t L = laneCount_;
  double* A = batch_->a.data();
  bool finite = true;
  for (int64_t i = 0; i < n_; ++i)
    for (int64_t k = 0; k <= i; ++k) {
      const double g = out[i * n_ + k];
      finite = finite && std::isfinite(g);
      A[(i * n_ + k) * L + lane] = g;
    }
  if (!finite) {
    writeObservables(j, degenerateWindow(m_, topK_, n_, out_.eigenvalues.data() + j * m_, vectors));
    return;
  }
  batch_->pending.push_back({j, start, e});
  if (static_cast<int>(batch_->pending.size()) == laneCount_) flush();
}

void BatchWindows::interleaveStaged() {
  // Lane l's lower triangle, stored row-major at stage_ + l W^2, into the batch's
  // lane-interleaved matrix; lanes past the last window repeat lane 0.
  const int64_t L = laneCount_, count = static_cast<int64_t>(batch_->pending.size()), WW = W_ * W_;
  const double* S = stage_.data();
  double* A = batch_->a.data();
  for (int64_t i = 0; i < W_; ++i)
    for (int64_t idx = i * W_; idx <= i * W_ + i; ++idx) {
      double* out = A + idx * L;
      int64_t l = 0;
      for (; l < count; ++l) out[l] = S[l * WW + idx];
      for (; l < L; ++l) out[l] = S[idx];
    }
}

void BatchWindows::flush() {
  std::vector<Pending>& pending = batch_->pending;
  if (pending.empty()) return;
  if (dual_) interleaveStaged();
  if (queue_ && queue_->wanted()) {
    std::unique_ptr<LaneBatch> own = queue_->put(std::move(batch_));
    freshBatch();
    if (own) {
      solve(*own);
      queue_->recycle(std::move(own));
    }
    return;
  }
  if (!lanes_) {
    // One matrix too large to batch (or of order 0): the reference solver.
    const Pending p = pending[0];
    pending.clear();
    if (order_ <= 0) {
      sorted_[0] = 0.0;
      writeObservables(p.window, finishSpectrum(sorted_.data(), 0, m_, p.scaleExp, opts_.spectrum.beta,
                                                out_.eigenvalues.data() + p.window * m_));
      if (topK_ > 0)
        std::fill(out_.vectorsOf(p.window), out_.vectorsOf(p.window) + topK_ * n_,
                  std::numeric_limits<float>::quiet_NaN());
      return;
    }
    const Deflation& d = deflation_;
    double* A = batch_->a.data();
    if (dual_)
      k_.deflateOne(static_cast<int>(W_), W_, d.h1.data(), d.beta1, d.h2.empty() ? nullptr : d.h2.data(), d.beta2, A,
                    deflateWork_.data());
    const int64_t offset = dual_ ? d.removed * W_ + d.removed : 0;
    if (!referenceEigensolve(order_, dual_ ? W_ : n_, A + offset, topK_, values_.data(), vectors_.data()))
      fallback(p);
    else
      finishLane(p, -1, values_.data(), vectors_.data());
    return;
  }
  solve(*batch_);
  pending.clear();
}

void BatchWindows::freshBatch() {
  batch_ = queue_->spare();
  if (batch_) return;
  const int64_t dim = dual_ ? W_ : n_;
  batch_ = std::make_unique<LaneBatch>();
  batch_->a.resize(dim * dim * laneCount_);
}

void BatchWindows::solve(LaneBatch& batch) {
  const std::vector<Pending>& pending = batch.pending;
  const int count = static_cast<int>(pending.size());
  const int64_t L = laneCount_;
  const int64_t dim = dual_ ? W_ : n_;
  double* A = batch.a.data();
  const Deflation& d = deflation_;
  const double* h2 = d.h2.empty() ? nullptr : d.h2.data();
  const int64_t offset = dual_ ? (d.removed * W_ + d.removed) * L : 0;
  // Unused lanes repeat lane 0 (real numbers, no extra iterations).
  if (count < L)
    for (int64_t idx = 0; idx < dim * dim; ++idx)
      for (int64_t l = count; l < L; ++l) A[idx * L + l] = A[idx * L];
  if (dual_) k_.deflate(static_cast<int>(W_), W_, d.h1.data(), d.beta1, h2, d.beta2, A, deflateWork_.data());
  k_.solve(static_cast<int>(order_), dim, static_cast<int>(topK_), A + offset, solveWork_.data(), values_.data(),
           vectors_.data(), failed_.data());
  for (int l = 0; l < count; ++l) {
    if (failed_[l])
      fallback(pending[l]);
    else
      finishLane(pending[l], l, values_.data(), vectors_.data());
  }
}

void BatchWindows::finishLane(const Pending& p, int lane, const double* values, const double* vectors) {
  const int64_t stride = lane >= 0 ? laneCount_ : 1, at = lane >= 0 ? lane : 0;
  const double denom = static_cast<double>(W_ - 1);
  for (int64_t i = 0; i < order_; ++i) sorted_[i] = values[i * stride + at] / denom;
  std::sort(sorted_.begin(), sorted_.begin() + order_, std::greater<double>());
  const int64_t j = p.window;
  const Observables obs =
      finishSpectrum(sorted_.data(), order_, m_, p.scaleExp, opts_.spectrum.beta, out_.eigenvalues.data() + j * m_);
  writeObservables(j, obs);
  if (topK_ == 0) return;
  std::vector<double> z(order_);
  std::vector<const double*> ptrs(W_);
  for (int64_t v = 0; v < topK_; ++v) {
    float* dst = out_.vectorsOf(j) + v * n_;
    if (obs.degenerate || v >= obs.kept) {
      // Beyond the window's rank there is no meaningful direction.
      std::fill(dst, dst + n_, std::numeric_limits<float>::quiet_NaN());
      continue;
    }
    for (int64_t i = 0; i < order_; ++i) z[i] = vectors[(v * order_ + i) * stride + at];
    if (dual_) {
      // v = Y^T u with u = H [0; z]: u is orthogonal to what the projection removed, so
      // the reference row cancels.
      deflation_.expand(z.data(), u_.data());
      for (int64_t i = 0; i < W_; ++i) ptrs[i] = slotRow(p.start + i);
      k_.combineRows(ptrs.data(), u_.data(), static_cast<int>(W_), nullptr, np_, probe_.data());
      finishVector(probe_.data(), n_, dst);
    } else {
      finishVector(z.data(), n_, dst);
    }
  }
}

void BatchWindows::fallback(const Pending& p) {
  // The window from its rows alone, solved by the reference solver.
  const int64_t j = p.window;
  float* vectors = topK_ > 0 ? out_.vectorsOf(j) : nullptr;
  AlignedBuffer X(W_ * np_);
  const int e = scratchWindow(p.start, X.data());
  const int64_t dim = dual_ ? W_ : n_;
  std::vector<double> M(dim * dim), values(dim), vecs(std::max<int64_t>(topK_, 1) * dim);
  for (int64_t i = 0; i < dim; ++i)
    for (int64_t k = 0; k <= i; ++k) {
      double g = 0;
      if (dual_)
        for (int64_t c = 0; c < n_; ++c) g += X.data()[i * np_ + c] * X.data()[k * np_ + c];
      else
        for (int64_t r = 0; r < W_; ++r) g += X.data()[r * np_ + i] * X.data()[r * np_ + k];
      M[i * dim + k] = g;
    }
  if (!referenceEigensolve(dim, dim, M.data(), topK_, values.data(), vecs.data())) {
    writeObservables(j, degenerateWindow(m_, topK_, n_, out_.eigenvalues.data() + j * m_, vectors));
    return;
  }
  const double denom = static_cast<double>(W_ - 1);
  for (int64_t i = 0; i < order_; ++i) sorted_[i] = values[i] / denom;
  const Observables obs =
      finishSpectrum(sorted_.data(), order_, m_, e, opts_.spectrum.beta, out_.eigenvalues.data() + j * m_);
  writeObservables(j, obs);
  for (int64_t v = 0; v < topK_; ++v) {
    float* dst = vectors + v * n_;
    if (obs.degenerate || v >= obs.kept) {
      std::fill(dst, dst + n_, std::numeric_limits<float>::quiet_NaN());
      continue;
    }
    if (dual_) {
      std::fill(probe_.begin(), probe_.end(), 0.0);
      for (int64_t i = 0; i < W_; ++i)
        for (int64_t c = 0; c < n_; ++c) probe_[c] += vecs[v * dim + i] * X.data()[i * np_ + c];
      finishVector(probe_.data(), n_, dst);
    } else {
      finishVector(vecs.data() + v * dim, n_, dst);
    }
  }
}

}  // namespace rdm2
