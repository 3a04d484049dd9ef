// The batch dynamical 2RDM: every trailing window of a T x n loss matrix.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "observables.hpp"
#include "types.hpp"

namespace rdm2 {

// Columnar results, one entry (or row) per window.
struct AnalysisResult {
  int64_t windows = 0;
  int64_t eigenCount = 0;  // m = min(W - 1, n)
  int64_t probes = 0;
  int64_t topK = 0;
  std::vector<int32_t> t;                                         // index of each window's last row
  std::array<std::vector<double>, kObservableCount> observables;  // in kObservableFields order
  std::vector<double> eigenvalues;                                // windows x m
  std::vector<float> eigenvectors;                                // windows x topK x n
  std::vector<uint8_t> degenerate;
  // When set (by the caller, before the analysis), the eigenvectors go here instead, and
  // `eigenvectors` stays empty: an array the caller owns (windows x topK x n floats).
  float* eigenvectorsInto = nullptr;
  // Window j's topK x n eigenvectors.
  float* vectorsOf(int64_t j) {
    return (eigenvectorsInto ? eigenvectorsInto : eigenvectors.data()) + j * topK * probes;
  }
};

int64_t windowCount(int64_t rows, int64_t window, int64_t stride);

// Windows per independently computed block (AnalysisOptions::blockWindows = 0
// uses it; lib/ asks the addon for it to chunk files on block boundaries). A
// block restarts from an empty window (W row loads and one Gram rebuild from
// scratch, a rank-W update at matrix-product speed), so blocks can be short:
// four refills' worth keeps that overhead small while a 2000-row run still
// splits into enough blocks to keep every thread busy. It depends only on W and
// the stride, never on the thread count or T, so results are bit-identical for
// any `threads` and a file analysed in chunks on block boundaries equals the
// whole-matrix analysis exactly.
int64_t defaultBlockWindows(int64_t window, int64_t stride);

// Throws CoreError on inconsistent sizes. Validation of user-facing options
// (with error codes) is the TypeScript layer's job.
void analyzeSliding(const InputMatrix& input, const AnalysisOptions& opts, AnalysisResult& out);

struct KernelTable;
// The kernels an analysis runs with: opts.isa, or the process-wide choice. Throws IsaError
// when the CPU lacks the instruction set asked for.
const KernelTable& kernelsFor(const AnalysisOptions& opts);

}  // namespace rdm2
