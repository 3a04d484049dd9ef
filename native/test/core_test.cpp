// C++ tests of native/core without Node (ctest). scripts/test.mjs runs them in the normal
// build and again under AddressSanitizer and UndefinedBehaviorSanitizer. Every kernel is
// checked on every instruction set this CPU supports, against Eigen's solver and plain loops.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "../core/aligned_buffer.hpp"
#include "../core/isa.hpp"
#include "../core/kernel_table.hpp"
#include "../core/pending_journal.hpp"
#include "../core/reference_eigensolver.hpp"
#include "../core/sliding_analysis.hpp"
#include "../core/window_projection.hpp"
#include "../core/window_state.hpp"

namespace {

int failures = 0, checks = 0;

#define CHECK(cond, ...)                                          \
  do {                                                            \
    ++checks;                                                     \
    if (!(cond)) {                                                \
      ++failures;                                                 \
      std::printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      std::printf(__VA_ARGS__);                                   \
      std::printf("\n");                                          \
    }                                                             \
  } while (0)

using rdm2::Isa;

std::vector<Isa> supportedIsas() {
  std::vector<Isa> out;
  for (Isa isa : {Isa::Baseline, Isa::Avx2, Isa::Avx512})
    if (rdm2::cpuSupports(isa)) out.push_back(isa);
  return out;
}

// A symmetric matrix with a chosen spectrum: Q diag(values) Q^T, Q from Householder products.
std::vector<double> withSpectrum(const std::vector<double>& values, std::mt19937_64& gen) {
  const int64_t N = static_cast<int64_t>(values.size());
  std::normal_distribution<double> normal;
  std::vector<double> A(N * N, 0.0);
  for (int64_t i = 0; i < N; ++i) A[i * N + i] = values[i];
  for (int rep = 0; rep < 3; ++rep) {
    std::vector<double> h(N);
    double hh = 0;
    for (double& x : h) {
      x = normal(gen);
      hh += x * x;
    }
    if (hh == 0) continue;
    const double beta = 2 / hh;
    // A <- H A H
    std::vector<double> p(N, 0.0);
    for (int64_t i = 0; i < N; ++i)
      for (int64_t j = 0; j < N; ++j) p[i] += A[i * N + j] * h[j];
    double hp = 0;
    for (int64_t i = 0; i < N; ++i) hp += h[i] * p[i];
    for (int64_t i = 0; i < N; ++i)
      for (int64_t j = 0; j < N; ++j)
        A[i * N + j] += -beta * (h[i] * p[j] + p[i] * h[j]) + beta * beta * hp * h[i] * h[j];
  }
  for (int64_t i = 0; i < N; ++i)
    for (int64_t j = 0; j < i; ++j) A[j * N + i] = A[i * N + j];
  return A;
}

// Solves `mats` with the batched kernel (lanes at a time) and checks each against Eigen.
void checkBatchedSolver(Isa isa, const std::vector<std::vector<double>>& mats, int64_t N, int k,
                        const std::string& what) {
  const rdm2::KernelTable& kt = rdm2::kernelTable(isa);
  const int L = kt.lanes;
  rdm2::AlignedBuffer a(N * N * L), work(kt.solveWorkspace(static_cast<int>(N), k)), values(N * L),
      vectors(std::max(k, 1) * N * L);
  std::vector<uint8_t> failed(L);
  for (size_t g = 0; g < mats.size(); g += L) {
    const int count = static_cast<int>(std::min<size_t>(L, mats.size() - g));
    for (int64_t idx = 0; idx < N * N; ++idx)
      for (int l = 0; l < L; ++l) a.data()[idx * L + l] = mats[g + (l < count ? l : 0)][idx];
    kt.solve(static_cast<int>(N), N, k, a.data(), work.data(), values.data(), vectors.data(), failed.data());
    for (int l = 0; l < count; ++l) {
      const std::vector<double>& M = mats[g + l];
      std::vector<double> ref(N), refVec(std::max(k, 1) * N), got(N);
      CHECK(rdm2::referenceEigensolve(N, N, M.data(), k, ref.data(), refVec.data()), "reference solve");
      CHECK(!failed[l], "%s %s: lane %d did not converge", rdm2::isaName(isa), what.c_str(), l);
      for (int64_t i = 0; i < N; ++i) got[i] = values.data()[i * L + l];
      std::sort(got.begin(), got.end(), std::greater<double>());
      double scale = 0;
      for (double v : ref) scale = std::max(scale, std::fabs(v));
      for (int64_t i = 0; i < N; ++i)
        CHECK(std::fabs(got[i] - ref[i]) <= 1e-12 * std::max(scale, 1e-300), "%s %s: eigenvalue %lld: %.17g vs %.17g",
              rdm2::isaName(isa), what.c_str(), static_cast<long long>(i), got[i], ref[i]);
      for (int v = 0; v < k; ++v) {
        // Only well-separated eigenvalues have a well-defined vector.
        const double gap = std::min(v > 0 ? ref[v - 1] - ref[v] : INFINITY, v + 1 < N ? ref[v] - ref[v + 1] : INFINITY);
        if (gap < 1e-6 * scale) continue;
        double dot = 0, norm = 0, resid = 0;
        for (int64_t i = 0; i < N; ++i) {
          const double x = vectors.data()[(v * N + i) * L + l];
          dot += x * refVec[v * N + i];
          norm += x * x;
        }
        for (int64_t i = 0; i < N; ++i) {
          double mx = 0;
          for (int64_t j = 0; j < N; ++j) mx += M[i * N + j] * vectors.data()[(v * N + j) * L + l];
          resid = std::max(resid, std::fabs(mx - ref[v] * vectors.data()[(v * N + i) * L + l]));
        }
        CHECK(std::fabs(norm - 1) < 1e-12, "%s %s: vector %d has norm %.17g", rdm2::isaName(isa), what.c_str(), v,
              norm);
        CHECK(std::fabs(std::fabs(dot) - 1) < 1e-9, "%s %s: vector %d |cos| = %.17g", rdm2::isaName(isa), what.c_str(),
              v, dot);
        CHECK(resid <= 1e-11 * scale, "%s %s: vector %d residual %.3g", rdm2::isaName(isa), what.c_str(), v, resid);
      }
    }
  }
}

void testBatchedSolver() {
  std::mt19937_64 gen(1);
  std::normal_distribution<double> normal;
  for (Isa isa : supportedIsas()) {
    for (int64_t N : {1, 2, 3, 5, 17, 31, 63, 100}) {
      std::vector<std::vector<double>> mats;
      for (int m = 0; m < 19; ++m) {
        std::vector<double> values(N);
        for (int64_t i = 0; i < N; ++i) values[i] = std::exp(2 * normal(gen));
        mats.push_back(withSpectrum(values, gen));
      }
      checkBatchedSolver(isa, mats, N, 0, "random N=" + std::to_string(N));
      checkBatchedSolver(isa, mats, N, static_cast<int>(std::min<int64_t>(N, 3)),
                         "random vectors N=" + std::to_string(N));
    }
    // Hard cases: zeros, repeated eigenvalues, rank-deficient, graded over 1e-14, a
    // diagonal (already tridiagonal) and an identity.
    const int64_t N = 24;
    std::vector<std::vector<double>> mats;
    mats.push_back(std::vector<double>(N * N, 0.0));
    std::vector<double> I(N * N, 0.0);
    for (int64_t i = 0; i < N; ++i) I[i * N + i] = 1.0;
    mats.push_back(I);
    std::vector<double> v(N);
    for (int64_t i = 0; i < N; ++i) v[i] = i % 3 == 0 ? 2.0 : 0.5;
    mats.push_back(withSpectrum(v, gen));
    for (int64_t i = 0; i < N; ++i) v[i] = i < 4 ? 1.0 + i : 0.0;
    mats.push_back(withSpectrum(v, gen));
    for (int64_t i = 0; i < N; ++i) v[i] = std::pow(10.0, -14.0 * i / (N - 1));
    mats.push_back(withSpectrum(v, gen));
    std::vector<double> D(N * N, 0.0);
    for (int64_t i = 0; i < N; ++i) D[i * N + i] = static_cast<double>((i * 7) % N);
    mats.push_back(D);
    checkBatchedSolver(isa, mats, N, 0, "hard cases");
  }
}

void testLaneIndependence() {
  // A matrix's result does not depend on what the other lanes hold.
  std::mt19937_64 gen(2);
  std::normal_distribution<double> normal;
  const int64_t N = 40;
  for (Isa isa : supportedIsas()) {
    const rdm2::KernelTable& kt = rdm2::kernelTable(isa);
    const int L = kt.lanes;
    std::vector<double> values(N);
    for (double& x : values) x = std::exp(normal(gen));
    const std::vector<double> target = withSpectrum(values, gen);
    std::vector<double> first;
    for (int trial = 0; trial < 3; ++trial) {
      rdm2::AlignedBuffer a(N * N * L), work(kt.solveWorkspace(N, 2)), out(N * L), vec(2 * N * L);
      std::vector<uint8_t> failed(L);
      for (int l = 0; l < L; ++l) {
        std::vector<double> other(N);
        for (double& x : other) x = std::exp(3 * normal(gen));
        const std::vector<double> M = l == trial % L ? target : withSpectrum(other, gen);
        for (int64_t idx = 0; idx < N * N; ++idx) a.data()[idx * L + l] = M[idx];
      }
      kt.solve(static_cast<int>(N), N, 2, a.data(), work.data(), out.data(), vec.data(), failed.data());
      std::vector<double> mine;
      for (int64_t i = 0; i < N; ++i) mine.push_back(out.data()[i * L + trial % L]);
      for (int64_t i = 0; i < 2 * N; ++i) mine.push_back(vec.data()[i * L + trial % L]);
      if (trial == 0)
        first = mine;
      else
        CHECK(mine == first, "%s: lane %d's result changed with its neighbours", rdm2::isaName(isa), trial % L);
    }
  }
}

void testBandDots() {
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<double> u(-1, 1);
  for (Isa isa : supportedIsas()) {
    const rdm2::KernelTable& kt = rdm2::kernelTable(isa);
    for (int64_t n : {1, 7, 8, 300, 1029}) {
      const int64_t np = rdm2::paddedLength(n);
      for (int W : {1, 2, 5, 16, 33}) {
        for (int fresh : {1, 3, 16}) {
          const int total = W + fresh + 2;
          rdm2::AlignedBuffer rows(total * np), out(fresh * W), work(kt.bandDotsWorkspace(fresh, W));
          std::vector<const double*> ptrs(total);
          for (int r = 0; r < total; ++r) {
            for (int64_t c = 0; c < n; ++c) rows.data()[r * np + c] = u(gen);
            ptrs[r] = rows.data() + r * np;
          }
          kt.bandDots(ptrs.data(), total, fresh, W, np, out.data(), work.data());
          for (int t = 0; t < fresh; ++t) {
            const int i = total - fresh + t;
            for (int k = 0; k < W; ++k) {
              const int j = i - W + 1 + k;
              if (j < 0) continue;
              double ref = 0;
              for (int64_t c = 0; c < n; ++c) ref += rows.data()[i * np + c] * rows.data()[j * np + c];
              CHECK(std::fabs(out.data()[t * W + k] - ref) <= 1e-13 * n, "%s bandDots n=%lld W=%d: %.17g vs %.17g",
                    rdm2::isaName(isa), static_cast<long long>(n), W, out.data()[t * W + k], ref);
            }
          }
          // dotsFromRaw: the same dot products with the reference subtracted on the fly.
          std::vector<double> ref(np, 0.0), y(np, 0.0), dots(total);
          for (int64_t c = 0; c < n; ++c) ref[c] = 0.25 * u(gen);
          const double mx = kt.deviation(ptrs[0], ref.data(), 0.5, n, np, y.data());
          double expectMax = 0;
          for (int64_t c = 0; c < n; ++c) expectMax = std::max(expectMax, std::fabs((ptrs[0][c] - ref[c]) * 0.5));
          CHECK(mx == expectMax, "%s deviation max", rdm2::isaName(isa));
          kt.dotsFromRaw(ptrs.data(), total, ref.data(), 0.5, y.data(), np, dots.data());
          for (int j = 0; j < total; ++j) {
            double r = 0;
            for (int64_t c = 0; c < n; ++c) r += (ptrs[j][c] - ref[c]) * 0.5 * y[c];
            CHECK(std::fabs(dots[j] - r) <= 1e-13 * n, "%s dotsFromRaw", rdm2::isaName(isa));
          }
        }
      }
    }
  }
}

// A plain two-pass reference for one window: eigenvalues of C, descending.
std::vector<double> twoPass(const std::vector<double>& X, int64_t n, int64_t start, int64_t W, rdm2::Detrend detrend) {
  std::vector<double> Y(W * n);
  for (int64_t c = 0; c < n; ++c) {
    long double mean = 0;
    for (int64_t i = 0; i < W; ++i) mean += X[(start + i) * n + c];
    mean /= W;
    for (int64_t i = 0; i < W; ++i) Y[i * n + c] = static_cast<double>(X[(start + i) * n + c] - mean);
    if (detrend == rdm2::Detrend::Linear) {
      long double tt = 0, tx = 0;
      for (int64_t i = 0; i < W; ++i) {
        const double tau = i - 0.5 * (W - 1);
        tt += tau * tau;
        tx += tau * Y[i * n + c];
      }
      for (int64_t i = 0; i < W; ++i) Y[i * n + c] -= static_cast<double>((i - 0.5 * (W - 1)) * (tx / tt));
    }
  }
  std::vector<double> C(n * n, 0.0);
  for (int64_t a = 0; a < n; ++a)
    for (int64_t b = 0; b <= a; ++b) {
      long double s = 0;
      for (int64_t i = 0; i < W; ++i) s += static_cast<long double>(Y[i * n + a]) * Y[i * n + b];
      C[a * n + b] = static_cast<double>(s / (W - 1));
    }
  std::vector<double> values(n);
  rdm2::referenceEigensolve(n, n, C.data(), 0, values.data(), nullptr);
  return values;
}

void testSlidingAgainstTwoPass() {
  std::mt19937_64 gen(4);
  std::normal_distribution<double> normal;
  struct Case {
    int64_t T, n, W, stride;
    rdm2::Detrend detrend;
    double offset;
  };
  const std::vector<Case> cases = {
      {60, 12, 8, 1, rdm2::Detrend::None, 0},     {60, 12, 8, 1, rdm2::Detrend::Linear, 5},
      {70, 9, 7, 3, rdm2::Detrend::None, 1e3},    {80, 9, 5, 11, rdm2::Detrend::Linear, 0},
      {90, 5, 10, 1, rdm2::Detrend::None, 2},     {300, 40, 35, 1, rdm2::Detrend::None, 2.3},
      {120, 70, 64, 2, rdm2::Detrend::Linear, 0},
  };
  for (const Case& c : cases) {
    std::vector<double> X(c.T * c.n);
    for (double& x : X) x = c.offset + normal(gen);
    rdm2::InputMatrix in;
    in.data = X.data();
    in.rows = c.T;
    in.cols = c.n;
    in.rowStride = c.n;
    rdm2::AnalysisOptions opts;
    opts.spectrum.window = c.W;
    opts.spectrum.detrend = c.detrend;
    opts.stride = c.stride;
    std::vector<rdm2::AnalysisResult> perThreads;
    // topK 0: with several threads, batches of windows are handed between threads.
    for (int topK : {0, 1}) {
      opts.spectrum.topK = topK;
      for (Isa isa : supportedIsas()) {
        for (int threads : {1, 3}) {
          opts.isa = static_cast<int>(isa);
          opts.threads = threads;
          opts.blockWindows = 4;
          rdm2::AnalysisResult r;
          rdm2::analyzeSliding(in, opts, r);
          for (int64_t j = 0; j < r.windows; ++j) {
            const std::vector<double> ref = twoPass(X, c.n, r.t[j] - c.W + 1, c.W, c.detrend);
            for (int64_t k = 0; k < r.eigenCount; ++k)
              CHECK(std::fabs(r.eigenvalues[j * r.eigenCount + k] - ref[k]) <= 1e-11 * ref[0],
                    "%s T=%lld W=%lld window %lld eigenvalue %lld: %.17g vs %.17g", rdm2::isaName(isa),
                    static_cast<long long>(c.T), static_cast<long long>(c.W), static_cast<long long>(j),
                    static_cast<long long>(k), r.eigenvalues[j * r.eigenCount + k], ref[k]);
          }
          if (threads == 1)
            perThreads.push_back(r);
          else
            CHECK(r.eigenvalues == perThreads.back().eigenvalues && r.eigenvectors == perThreads.back().eigenvectors &&
                      r.observables == perThreads.back().observables,
                  "%s topK %d: results differ across thread counts", rdm2::isaName(isa), topK);
        }
      }
    }
  }
}

void testOutlierAndScale() {
  // An extreme outlier in the first row (the first reference) must not disturb the windows
  // after it; data near 1e-300 and 1e150 keeps its spectrum (scale-invariant observables).
  std::mt19937_64 gen(5);
  std::normal_distribution<double> normal;
  const int64_t T = 40, n = 6, W = 5;
  std::vector<double> X(T * n);
  for (double& x : X) x = 1 + normal(gen);
  for (int64_t outlier : {0, 9})
    for (double scale : {1.0, 1e-300, 1e150, 4e-320}) {
      std::vector<double> Xs(X);
      for (double& x : Xs) x *= scale;
      Xs[outlier * n] = 1e20 * std::max(scale, 1e-300);
      rdm2::InputMatrix in;
      in.data = Xs.data();
      in.rows = T;
      in.cols = n;
      in.rowStride = n;
      for (Isa isa : supportedIsas()) {
        rdm2::AnalysisOptions opts;
        opts.spectrum.window = W;
        opts.isa = static_cast<int>(isa);
        rdm2::AnalysisResult r;
        rdm2::analyzeSliding(in, opts, r);
        std::vector<double> plain(X);
        plain[outlier * n] = 1e20;
        for (int64_t j = 0; j < r.windows; ++j) {
          if (j <= outlier && outlier < j + W) continue;  // the windows that hold it
          const std::vector<double> ref = twoPass(plain, n, j, W, rdm2::Detrend::None);
          double sum = 0, sum2 = 0;
          for (double v : ref)
            if (v > 1e-10 * ref[0]) {
              sum += v;
              sum2 += v * v;
            }
          const double pr = sum * sum / sum2;
          const double tol = scale == 4e-320 ? 1e-3 : 1e-9;  // subnormal inputs carry only a few digits
          CHECK(std::fabs(r.observables[1][j] - pr) <= tol * pr, "%s scale %g window %lld: PR %.17g vs %.17g",
                rdm2::isaName(isa), scale, static_cast<long long>(j), r.observables[1][j], pr);
          CHECK(!r.degenerate[j], "%s scale %g window %lld degenerate", rdm2::isaName(isa), scale,
                static_cast<long long>(j));
        }
      }
    }
}

void testWindowStateRoundTrip() {
  std::mt19937_64 gen(6);
  std::normal_distribution<double> normal;
  const int64_t n = 10, W = 6;
  rdm2::SpectrumOptions spec;
  spec.window = W;
  spec.topK = 2;
  for (Isa isa : supportedIsas()) {
    const rdm2::KernelTable& kt = rdm2::kernelTable(isa);
    rdm2::WindowState a(n, spec, 0, kt), b(n, spec, 0, kt);
    std::vector<double> row(n);
    for (int t = 0; t < 23; ++t) {
      for (double& x : row) x = 3 + normal(gen);
      a.push(row.data(), t == 4);
    }
    rdm2::WindowState::Saved saved = a.save();
    b.load(saved);
    for (int t = 0; t < 15; ++t) {
      for (double& x : row) x = 3 + (t == 7 ? 1e30 : normal(gen));
      a.push(row.data(), false);
      // b takes its rows through the spare row (as the addon does): no copy, the same results,
      // and a spare row filled but never pushed (a refused row) changes nothing.
      std::copy(row.begin(), row.end(), b.stagingRow());
      b.push(b.stagingRow(), false);
      std::fill(b.stagingRow(), b.stagingRow() + n, -7.0);
      std::vector<double> ea(W - 1), eb(W - 1);
      std::vector<float> va(2 * n), vb(2 * n);
      rdm2::SpectrumOut oa{{}, ea.data(), va.data()}, ob{{}, eb.data(), vb.data()};
      a.spectrum(oa);
      b.spectrum(ob);
      // Bit for bit (NaN eigenvectors beyond the window's rank included).
      CHECK(std::memcmp(ea.data(), eb.data(), ea.size() * sizeof(double)) == 0 &&
                std::memcmp(va.data(), vb.data(), va.size() * sizeof(float)) == 0,
            "%s: a restored window continues identically", rdm2::isaName(isa));
    }
    // States no monitor can reach are refused, and leave the window as it was.
    auto refused = [&](const char* what, const std::function<void(rdm2::WindowState::Saved&)>& mutate) {
      rdm2::WindowState::Saved s = a.save();
      mutate(s);
      bool threw = false;
      try {
        b.load(s);
      } catch (const rdm2::CoreError&) {
        threw = true;
      }
      CHECK(threw, "%s: load accepted %s", rdm2::isaName(isa), what);
    };
    refused("a huge count", [](rdm2::WindowState::Saved& s) { s.count = int64_t{1} << 62; });
    refused("count - 1", [](rdm2::WindowState::Saved& s) { s.count -= 1; });
    refused("sinceRebuild > count", [](rdm2::WindowState::Saved& s) { s.sinceRebuild = s.count + 1; });
    refused("a short row array", [](rdm2::WindowState::Saved& s) { s.rows.pop_back(); });
    refused("a NaN row", [](rdm2::WindowState::Saved& s) { s.rows[3] = NAN; });
    refused("a bad flag of 2", [](rdm2::WindowState::Saved& s) { s.bad[0] = 2; });
    refused("a Gram that is not the rows'", [](rdm2::WindowState::Saved& s) {
      s.gram[1] += 1;
      s.gram[W] += 1;
    });
    refused("an asymmetric Gram", [](rdm2::WindowState::Saved& s) { s.gram[1] += 1e-9; });
    refused("a scale exponent out of range", [](rdm2::WindowState::Saved& s) { s.scaleExp = 5000; });
  }
}

// Lazy windows journaled into small chunks (a new chunk whenever one has no room, so many
// chunks start with a base), read back after every push is done: each window's Gram is the
// one the state held at its push, bit for bit, whatever happened since (reference moves,
// rebuilds for outliers and huge values, bad rows). Malformed offsets and records are refused.
void testPendingJournal() {
  std::mt19937_64 gen(12);
  std::normal_distribution<double> normal;
  const int64_t n = 9, W = 5;
  rdm2::SpectrumOptions spec;
  spec.window = W;
  for (Isa isa : supportedIsas()) {
    const rdm2::KernelTable& kt = rdm2::kernelTable(isa);
    rdm2::WindowState ws(n, spec, 0, kt);
    const int64_t chunkLength = 2 * ws.longestRecord() + 3 * (rdm2::kRecordHeader + W);
    std::vector<std::vector<double>> chunks;
    struct Held {
      size_t chunk;
      int64_t at;
      std::vector<double> gram;
    };
    std::vector<Held> held;
    int64_t end = 0;
    bool fresh = true;
    std::vector<double> row(n);
    for (int t = 0; t < 300; ++t) {
      for (double& x : row) x = 3 + normal(gen);
      if (t % 41 == 17) std::fill(row.begin(), row.end(), 1e12);
      if (t % 53 == 29) std::fill(row.begin(), row.end(), 1e250);
      const bool bad = t % 37 == 11;
      const bool fills = ws.fullAfterPush();
      if (fills && (chunks.empty() || chunkLength - end < ws.longestRecord())) {
        chunks.emplace_back(chunkLength, -1.0);
        end = 0;
        fresh = true;
      }
      ws.push(row.data(), bad);
      if (!fills) continue;
      const int64_t at = end;
      end = ws.appendPending(chunks.back().data(), chunkLength, at, fresh);
      fresh = false;
      held.push_back({chunks.size() - 1, at, ws.gram()});
    }
    CHECK(chunks.size() > 20, "%s: %zu chunks", rdm2::isaName(isa), chunks.size());
    int exact = 0, grams = 0;
    for (const Held& h : held) {
      const rdm2::PreparedWindow p = rdm2::readJournal(chunks[h.chunk].data(), chunkLength, h.at);
      if (p.kind != rdm2::PreparedWindow::Kind::Gram) continue;
      ++grams;
      exact += p.order == W && std::memcmp(p.matrix.data(), h.gram.data(), sizeof(double) * W * W) == 0;
    }
    CHECK(grams > 200 && exact == grams, "%s: %d of %d journaled Grams equal the state's at their push",
          rdm2::isaName(isa), exact, grams);
    // Offsets that are not a record's start, records that lie about their base or slot.
    const std::vector<double>& c = chunks[1];
    const auto found = std::find_if(held.begin(), held.end(), [&](const Held& h) {
      return h.chunk == 1 && c[h.at + rdm2::kTag] == static_cast<double>(rdm2::RecordTag::Column);
    });
    CHECK(found != held.end(), "%s: the second chunk holds a column record", rdm2::isaName(isa));
    if (found == held.end()) continue;
    const Held& column = *found;
    auto refused = [&](const std::vector<double>& chunk, int64_t length, int64_t at, const char* what) {
      bool threw = false;
      try {
        rdm2::readJournal(chunk.data(), length, at);
      } catch (const rdm2::CoreError&) {
        threw = true;
      }
      CHECK(threw, "%s: readJournal accepted %s", rdm2::isaName(isa), what);
    };
    refused(c, chunkLength, -1, "a negative offset");
    refused(c, chunkLength, column.at + 1, "an offset inside a record");
    refused(c, chunkLength, chunkLength - 2, "an offset at the chunk's end");
    refused(c, column.at + 3, column.at, "a record cut by the chunk's end");
    std::vector<double> forged = c;
    forged[column.at + rdm2::kSlot] = W;
    refused(forged, chunkLength, column.at, "a slot outside the window");
    forged = c;
    forged[column.at + rdm2::kOrder] = 1e9;
    refused(forged, chunkLength, column.at, "a huge order");
    forged = c;
    forged[rdm2::kTag] = static_cast<double>(rdm2::RecordTag::Column);
    refused(forged, chunkLength, column.at, "a base that is not a base");
  }
}

void testIsaNames() {
  Isa isa;
  CHECK(rdm2::parseIsa("avx2", isa) && isa == Isa::Avx2, "parse avx2");
  CHECK(!rdm2::parseIsa("sse9", isa), "unknown name");
  bool threw = false;
  try {
    rdm2::resolveIsa("sse9");
  } catch (const rdm2::IsaError&) {
    threw = true;
  }
  CHECK(threw, "resolveIsa refuses an unknown name");
  CHECK(rdm2::cpuSupports(Isa::Baseline), "baseline always runs");
  CHECK(rdm2::cpuSupports(rdm2::bestIsa()), "the best is supported");
}

}  // namespace

int main() {
  testIsaNames();
  testBandDots();
  testBatchedSolver();
  testLaneIndependence();
  testSlidingAgainstTwoPass();
  testOutlierAndScale();
  testWindowStateRoundTrip();
  testPendingJournal();
  std::printf("%d checks, %d failed (instruction sets:", checks, failures);
  for (Isa isa : supportedIsas()) std::printf(" %s", rdm2::isaName(isa));
  std::printf(")\n");
  return failures == 0 ? 0 : 1;
}
