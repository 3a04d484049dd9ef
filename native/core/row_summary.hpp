// Statistics of loss rows taken in the pass that reads them, so the command line need not
// read a file again for them: each probe's smallest and largest loss (the log-transform
// proposal), each row's mean over all probes and per probe group (the scalar baselines), and
// the first loss the analysis cannot use (the 'error' policy names its file position).
#pragma once
#include <cstdint>

#include "types.hpp"

namespace rdm2 {

struct RowSummaryRequest {
  // `rows` rows of `cols` losses, row-major and contiguous.
  const void* data = nullptr;
  DType dtype = DType::F64;
  int64_t rows = 0, cols = 0;
  // The analysis' transform: the means are of the transformed losses (log x, NaN for x <= 0).
  Transform transform = Transform::None;
  // Per column, updated (all null to skip): min and max of the raw losses (a NaN changes
  // neither), and 1 where some loss is not finite and > 0.
  double* lo = nullptr;
  double* hi = nullptr;
  double* notPositive = nullptr;
  // Per row (null to skip): the mean over all columns, summed in the order of
  // KernelTable::summarizeRow.
  double* rowMeans = nullptr;
  // Per row and group (rows x groups, null to skip): the mean over the group's columns, summed
  // left to right; group[c] in [0, groups), groupSize[g] columns in group g.
  const int32_t* group = nullptr;
  int64_t groups = 0;
  const double* groupSize = nullptr;
  double* groupMeans = nullptr;
  int isa = -1;  // as AnalysisOptions::isa
};

// Fills the request's outputs; returns the index (row * cols + column) of the first loss that
// is not finite (or not > 0 under the log transform), or -1.
int64_t summarizeRows(const RowSummaryRequest& req);

}  // namespace rdm2
