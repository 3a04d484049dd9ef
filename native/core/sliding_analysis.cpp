#include "sliding_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include "batch_windows.hpp"
#include "kernel_table.hpp"
#include "row_input.hpp"
#include "thread_pool.hpp"

namespace rdm2 {

int64_t windowCount(int64_t rows, int64_t window, int64_t stride) {
  if (window < 2 || stride < 1 || rows < window) return 0;
  return (rows - window) / stride + 1;
}

int64_t defaultBlockWindows(int64_t window, int64_t stride) {
  const int64_t pushesPerWindow = std::min(stride, window);
  const int64_t refill = (window + pushesPerWindow - 1) / pushesPerWindow;
  return std::max<int64_t>(32, 4 * refill);
}

const KernelTable& kernelsFor(const AnalysisOptions& opts) {
  if (opts.isa < 0) return kernelTable(selectedIsa());
  const Isa isa = static_cast<Isa>(opts.isa);
  if (!cpuSupports(isa)) throw IsaError(std::string("this CPU does not support ") + isaName(isa));
  return kernelTable(isa);
}

void analyzeSliding(const InputMatrix& in, const AnalysisOptions& opts, AnalysisResult& out) {
  const int64_t T = in.rows, n = in.cols, W = opts.spectrum.window, s = opts.stride;
  if (!in.data && T * n > 0) throw CoreError("input has no data");
  if (W < 2) throw CoreError("window must be >= 2");
  if (s < 1) throw CoreError("stride must be >= 1");
  if (T < W) throw CoreError("window is longer than the number of rows");
  if (n < 1) throw CoreError("need at least one probe");
  const int64_t m = std::min(W - 1, n);
  const int64_t topK = opts.spectrum.topK;
  if (topK < 0 || topK > m) throw CoreError("topK exceeds the largest possible rank min(W-1, n)");
  const KernelTable& kernels = kernelsFor(opts);

  const int64_t N = windowCount(T, W, s);
  out.windows = N;
  out.eigenCount = m;
  out.probes = n;
  out.topK = topK;
  out.t.assign(N, 0);
  for (std::vector<double>& column : out.observables) column.assign(N, 0.0);
  out.degenerate.assign(N, 0);
  out.eigenvalues.assign(N * m, 0.0);
  if (out.eigenvectorsInto)
    out.eigenvectors.clear();
  else
    out.eigenvectors.assign(N * topK * n, 0.0f);

  // The non-finite scan runs here, on the worker thread, so a large input never
  // holds up the caller's event loop.
  std::vector<uint8_t> scannedBad;
  InputMatrix input = in;
  if (opts.nonFinite != NonFinite::Unchecked) {
    const bool direct = opts.transform == Transform::None && in.colStride == 1;
    const int64_t elem = in.dtype == DType::F32 ? 4 : 8;
    for (int64_t r = 0; r < T; ++r) {
      const int64_t c = direct ? kernels.firstNonFinite(static_cast<const char*>(in.data) + r * in.rowStride * elem,
                                                        in.dtype == DType::F32, n)
                               : firstBadColumn(in, r, opts.transform);
      if (c < 0) continue;
      if (opts.nonFinite == NonFinite::Error) throw NonFiniteError(r, c, in.at(r, c));
      if (scannedBad.empty()) {
        scannedBad.assign(T, 0);
        if (in.badRows) std::copy(in.badRows, in.badRows + T, scannedBad.begin());
      }
      scannedBad[r] = 1;
    }
    if (!scannedBad.empty()) input.badRows = scannedBad.data();
  }
  const int64_t perBlock = opts.blockWindows > 0 ? opts.blockWindows : defaultBlockWindows(W, s);
  const int64_t blocks = (N + perBlock - 1) / perBlock;
  const int threads = std::max(1, opts.threads);
  std::vector<std::unique_ptr<BatchWindows>> engines(std::min<int64_t>(threads, std::max<int64_t>(blocks, 1)));

  parallelFor(blocks, threads, [&](int64_t block, int worker) {
    if (!engines[worker]) engines[worker] = std::make_unique<BatchWindows>(input, opts, kernels, out);
    const int64_t first = block * perBlock;
    engines[worker]->run(first, std::min(N, first + perBlock));
  });
}

}  // namespace rdm2
