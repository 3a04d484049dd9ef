#include "row_summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernel_table.hpp"
#include "sliding_analysis.hpp"

namespace rdm2 {

int64_t summarizeRows(const RowSummaryRequest& req) {
  AnalysisOptions isaOnly;
  isaOnly.isa = req.isa;
  const KernelTable& k = kernelsFor(isaOnly);
  const int64_t n = req.cols;
  const bool f32 = req.dtype == DType::F32;
  const bool log = req.transform == Transform::Log;
  const std::size_t itemSize = f32 ? sizeof(float) : sizeof(double);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> row(log || req.groupMeans ? static_cast<std::size_t>(n) : 0);
  std::vector<double> groupSum(req.groupMeans ? static_cast<std::size_t>(req.groups) : 0);
  int64_t firstBad = -1;
  for (int64_t r = 0; r < req.rows; ++r) {
    const void* x = static_cast<const char*>(req.data) + static_cast<std::size_t>(r * n) * itemSize;
    // Under the log transform the raw sum is not needed, only the bounds.
    double sum = !log || req.lo ? k.summarizeRow(x, f32, n, req.lo, req.hi, req.notPositive) : 0.0;
    if (log || req.groupMeans) {
      for (int64_t c = 0; c < n; ++c)
        row[c] = f32 ? static_cast<double>(static_cast<const float*>(x)[c]) : static_cast<const double*>(x)[c];
    }
    if (log) {
      for (int64_t c = 0; c < n; ++c) {
        const double v = row[c];
        if (firstBad < 0 && !(v > 0 && v < std::numeric_limits<double>::infinity())) firstBad = r * n + c;
        row[c] = v > 0 ? std::log(v) : nan;  // std::log, as the analysis (row_input.hpp)
      }
      sum = k.summarizeRow(row.data(), false, n, nullptr, nullptr, nullptr);
    } else if (firstBad < 0) {
      const int64_t c = k.firstNonFinite(x, f32, n);
      if (c >= 0) firstBad = r * n + c;
    }
    if (req.rowMeans) req.rowMeans[r] = sum / static_cast<double>(n);
    if (req.groupMeans) {
      std::fill(groupSum.begin(), groupSum.end(), 0.0);
      for (int64_t c = 0; c < n; ++c) groupSum[req.group[c]] += row[c];
      double* out = req.groupMeans + r * req.groups;
      for (int64_t g = 0; g < req.groups; ++g) out[g] = groupSum[g] / req.groupSize[g];
    }
  }
  return firstBad;
}

}  // namespace rdm2
