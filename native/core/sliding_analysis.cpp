#include "sliding_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include "row_input.hpp"
#include "thread_pool.hpp"
#include "window_state.hpp"

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

  const int64_t N = windowCount(T, W, s);
  out.windows = N;
  out.eigenCount = m;
  out.probes = n;
  out.topK = topK;
  out.t.assign(N, 0);
  for (std::vector<double>& column : out.observables) column.assign(N, 0.0);
  out.degenerate.assign(N, 0);
  out.eigenvalues.assign(N * m, 0.0);
  out.eigenvectors.assign(N * topK * n, 0.0f);

  // The non-finite scan runs here, on the worker thread, so a large input never
  // holds up the caller's event loop.
  std::vector<uint8_t> scannedBad;
  InputMatrix input = in;
  if (opts.nonFinite != NonFinite::Unchecked) {
    for (int64_t r = 0; r < T; ++r) {
      const int64_t c = firstBadColumn(in, r, opts.transform);
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
  std::vector<std::unique_ptr<WindowState>> states(std::min<int64_t>(threads, std::max<int64_t>(blocks, 1)));
  std::vector<std::vector<double>> rows(states.size());

  parallelFor(blocks, threads, [&](int64_t block, int worker) {
    if (!states[worker]) {
      states[worker] = std::make_unique<WindowState>(n, W, opts.rebuildPeriod, opts.scratch, opts.path);
      rows[worker].resize(n);
    }
    WindowState& ws = *states[worker];
    double* row = rows[worker].data();
    ws.reset();
    const int64_t first = block * perBlock;
    const int64_t last = std::min(N, first + perBlock);
    int64_t nextRow = 0;  // first row not yet pushed
    for (int64_t j = first; j < last; ++j) {
      const int64_t end = W - 1 + j * s;  // last row of window j
      int64_t r = std::max(nextRow, end - W + 1);
      if (j == first || s >= W) {
        // Non-overlapping windows start from an empty state, so each one's
        // result depends only on its own rows (a Gaussian block equals itself
        // analysed alone, bit for bit).
        if (j != first) ws.reset();
        r = end - W + 1;
      }
      for (; r <= end; ++r) {
        loadRow(input, r, opts.transform, row);
        ws.push(row, input.badRows && input.badRows[r]);
      }
      nextRow = end + 1;
      SpectrumOut so;
      so.eigenvalues = out.eigenvalues.data() + j * m;
      so.eigenvectors = topK > 0 ? out.eigenvectors.data() + j * topK * n : nullptr;
      ws.spectrum(opts.spectrum, so);
      out.t[j] = static_cast<int32_t>(end);
      for (std::size_t f = 0; f < kObservableCount; ++f) out.observables[f][j] = so.obs.*kObservableFields[f].value;
      out.degenerate[j] = so.obs.degenerate ? 1 : 0;
    }
  });
}

}  // namespace rdm2
