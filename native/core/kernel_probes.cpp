#include "kernel_probes.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <random>
#include <vector>

#include "aligned_buffer.hpp"
#include "kernel_table.hpp"
#include "window_projection.hpp"

namespace rdm2 {
namespace {

template <typename F>
double bestOf(int reps, F&& f) {
  double best = std::numeric_limits<double>::infinity();
  for (int r = 0; r < std::max(1, reps); ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const auto t1 = std::chrono::steady_clock::now();
    best = std::min(best, std::chrono::duration<double>(t1 - t0).count());
  }
  return best;
}

volatile double sink = 0;

// A random W x W Gram of W rows of length 4W (full rank), row-major.
std::vector<double> randomGram(int64_t W, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> normal;
  const int64_t len = 4 * W;
  std::vector<double> Y(W * len), G(W * W);
  for (double& y : Y) y = normal(gen);
  for (int64_t i = 0; i < W; ++i)
    for (int64_t j = 0; j < W; ++j) {
      double s = 0;
      for (int64_t c = 0; c < len; ++c) s += Y[i * len + c] * Y[j * len + c];
      G[i * W + j] = s;
    }
  return G;
}

}  // namespace

double timeDots(Isa isa, int64_t window, int64_t n, int reps) {
  const KernelTable& k = kernelTable(isa);
  const int64_t np = paddedLength(n);
  AlignedBuffer rows((window + 1) * np), work(k.bandDotsWorkspace(1, static_cast<int>(window)));
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<const double*> ptrs(window + 1);
  for (int64_t r = 0; r <= window; ++r) {
    for (int64_t c = 0; c < n; ++c) rows.data()[r * np + c] = u(gen);
    ptrs[r] = rows.data() + r * np;
  }
  // Row `window` against rows 1..window: exactly W dot products.
  std::vector<double> band(window);
  return bestOf(reps, [&] {
    k.bandDots(ptrs.data(), static_cast<int>(window + 1), 1, static_cast<int>(window), np, band.data(), work.data());
    sink = sink + band[0];
  });
}

double timeBandDots(Isa isa, int64_t window, int64_t n, int reps) {
  const KernelTable& k = kernelTable(isa);
  const int64_t np = paddedLength(n), fresh = 16, total = window - 1 + fresh;
  AlignedBuffer rows(total * np), work(k.bandDotsWorkspace(static_cast<int>(fresh), static_cast<int>(window))),
      out(fresh * window);
  std::mt19937_64 gen(9);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<const double*> ptrs(total);
  for (int64_t r = 0; r < total; ++r) {
    for (int64_t c = 0; c < n; ++c) rows.data()[r * np + c] = u(gen);
    ptrs[r] = rows.data() + r * np;
  }
  const double seconds = bestOf(reps, [&] {
    k.bandDots(ptrs.data(), static_cast<int>(total), static_cast<int>(fresh), static_cast<int>(window), np, out.data(),
               work.data());
    sink = sink + out.data()[0];
  });
  return seconds / fresh;
}

double timeBatchedEigenvalues(Isa isa, int64_t W, int reps) {
  const KernelTable& k = kernelTable(isa);
  const int L = k.lanes;
  const Deflation d(W, Detrend::None);
  const int64_t N = d.order();
  std::vector<std::vector<double>> grams;
  for (int l = 0; l < L; ++l) grams.push_back(randomGram(W, 11 + l));
  AlignedBuffer a(W * W * L), work(k.solveWorkspace(static_cast<int>(N), 0)), values(N * L), deflateWork(W * L);
  std::vector<uint8_t> failed(L);
  const double seconds = bestOf(reps, [&] {
    for (int64_t idx = 0; idx < W * W; ++idx)
      for (int l = 0; l < L; ++l) a.data()[idx * L + l] = grams[l][idx];
    k.deflate(static_cast<int>(W), W, d.h1.data(), d.beta1, nullptr, 0, a.data(), deflateWork.data());
    k.solve(static_cast<int>(N), W, 0, a.data() + (W + 1) * L, work.data(), values.data(), nullptr, failed.data());
    sink = sink + values.data()[0];
  });
  return seconds / L;
}

double timeSingleEigenvalues(Isa isa, int64_t W, int reps) {
  const KernelTable& k = kernelTable(isa);
  const Deflation d(W, Detrend::None);
  const int64_t N = d.order();
  const std::vector<double> G = randomGram(W, 11);
  std::vector<double> a(W * W), work(k.solveOneWorkspace(static_cast<int>(N), 0)), values(N), deflateWork(W);
  return bestOf(reps, [&] {
    std::copy(G.begin(), G.end(), a.begin());
    k.deflateOne(static_cast<int>(W), W, d.h1.data(), d.beta1, nullptr, 0, a.data(), deflateWork.data());
    k.solveOne(static_cast<int>(N), W, 0, a.data() + W + 1, work.data(), values.data(), nullptr);
    sink = sink + values[0];
  });
}

}  // namespace rdm2
