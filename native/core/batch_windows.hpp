// One worker's engine for the batch path: the windows of one block, start to end.
//
// W <= n (the dual form): rows arrive in tiles of kTileRows; each tile's dot products with
// the rows of its windows are one banded matrix product (the band of the full T x T Gram
// within W of the diagonal), kept in a ring of row slots. Each finished window's W x W
// Gram is gathered in time order into one lane of a batch; a full batch is deflated and
// eigen-solved together (kernels lanes at a time).
// n < W: each window's n x n covariance is formed from its centred rows and solved in the
// same batches.
//
// Numerics: rows are stored as deviations from a reference row, scaled by a power of two so
// the largest is below 1 (data near 1e-300 or 1e300 keeps its precision; eigenvalues are
// scaled back exactly). The reference moves to the newest row every rebuildPeriod rows (the
// Gram is shifted, at no cost in dot products), and a window whose Gram has drifted far from
// its rows (an outlier that was the reference or passed through a reference move, a
// collapse of the scale) is rebuilt from the input rows with a reference inside the window.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "aligned_buffer.hpp"
#include "covariance_window.hpp"
#include "kernel_table.hpp"
#include "observables.hpp"
#include "sliding_analysis.hpp"
#include "types.hpp"
#include "window_projection.hpp"

namespace rdm2 {

class BatchWindows {
 public:
  BatchWindows(const InputMatrix& input, const AnalysisOptions& opts, const KernelTable& kernels, AnalysisResult& out);
  // Windows [first, last), from an empty state: the result depends only on the block.
  void run(int64_t first, int64_t last);

  // Rows per tile of the band product (at most W).
  static constexpr int kTileRows = 16;
  // Largest order solved in lanes; larger matrices go to the reference solver one at a time.
  static constexpr int64_t kLaneOrderLimit = 256;

 private:
  struct Pending {
    int64_t window;  // index j
    int64_t start;   // first row
    int scaleExp;
  };

  void resetRing();
  double* slotRow(int64_t row) { return rows_.data() + (row % cap_) * np_; }
  void loadRaw(int64_t row, double* dst) const;
  bool rowBad(int64_t row) const { return input_.badRows && input_.badRows[row]; }
  void pushTile(int64_t a, int64_t b);
  void bandInto(int64_t lo, int64_t a, int64_t b);
  void moveReference(int64_t row);
  void rebuildRing(int64_t refRow, int64_t lowestNeeded);
  int64_t lowestNeededRow() const;
  void emitDual(int64_t j);
  void emitCovariance(int64_t j);
  void flush();
  void finishLane(const Pending& p, int lane, const double* values, const double* vectors);
  void fallback(const Pending& p);
  int scratchWindow(int64_t start, double* X);
  void writeObservables(int64_t j, const Observables& o);

  const InputMatrix& input_;
  const AnalysisOptions& opts_;
  const KernelTable& k_;
  AnalysisResult& out_;
  int64_t n_, np_, W_, s_, topK_, m_;
  bool dual_;
  Deflation deflation_;
  int64_t order_;
  bool lanes_;     // solve in lane batches (else the reference solver, one at a time)
  int laneCount_;  // matrices per batch
  int64_t moveEvery_;
  int64_t tile_;
  bool direct_;  // rows read straight from the input (no transform, contiguous)

  // Ring of row slots (dual form).
  int64_t cap_ = 0;
  AlignedBuffer rows_, gram_, ref_, raw_;
  std::vector<uint8_t> bad_;
  int64_t firstRow_ = 0, newest_ = -1;
  int64_t nextEmitStart_ = 0;  // first row of the next window to finish
  bool hasRef_ = false, scaleChosen_ = false;
  int scaleExp_ = 0;
  int64_t sinceMove_ = 0;
  double level_ = 0;  // see Conditioning::good
  AlignedBuffer bandOut_, bandWork_;

  // The batch being collected.
  std::vector<Pending> pending_;
  AlignedBuffer lanesA_, solveWork_, values_, vectors_, deflateWork_;
  std::vector<uint8_t> failed_;
  std::vector<int64_t> slots_;
  std::vector<double> sorted_, u_, probe_;
  AlignedBuffer X_;  // a window's centred rows (covariance path)
  std::unique_ptr<ColumnGram> columnGram_;
};

}  // namespace rdm2
