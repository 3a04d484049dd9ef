// The streaming monitor's window: the last W loss rows and, in the dual regime (W <= n),
// the W x W Gram of their deviations from a reference row, kept up to date one push at a
// time (W dot products per push).
//
// The rows are kept as they arrived (raw float64), so the Gram can always be rebuilt from
// them: when the reference row turns out to be far from the window (an extreme outlier was
// the reference) or the data's scale leaves the range the Gram was scaled for, the window
// is rebuilt around a row inside it (the same rules as the batch path, batch_windows.hpp,
// and window_projection.hpp's Conditioning).
//
// A window's spectrum is computed in two steps: prepare() (O(W^2): the checked, time-ordered
// matrix, self-contained) and solvePreparedWindow() (the eigensolve), so a summary nobody
// reads costs no eigensolve; eigenvectors need the rows and are computed at once
// (spectrum()). Lazy windows are kept in a journal instead (appendPending, O(W) a push).
#pragma once
#include <cstdint>
#include <vector>

#include "aligned_buffer.hpp"
#include "kernel_table.hpp"
#include "observables.hpp"
#include "types.hpp"
#include "window_projection.hpp"

namespace rdm2 {

// Where one window's results go: observables, m = min(W-1, n) eigenvalues and topK
// probe-space eigenvectors (each of length n).
struct SpectrumOut {
  Observables obs;
  double* eigenvalues = nullptr;  // m entries, descending, zero padded
  float* eigenvectors = nullptr;  // topK x n, may be null when topK == 0
};

// A window ready for its eigensolve, independent of the monitor's later pushes.
struct PreparedWindow {
  // Matrix: the deflated N x N matrix. Gram: the window's W x W Gram as the monitor holds it
  // (slot order, full, checked), deflated when solved. Bad / NonFinite: degenerate.
  enum class Kind : uint8_t { Matrix, Bad, NonFinite, Gram };
  Kind kind = Kind::Matrix;
  int64_t order = 0;           // N (Matrix) or W (Gram)
  int scaleExp = 0;            // rows were scaled by 2^-scaleExp
  int64_t oldest = 0;          // Gram: the slot of the window's oldest row
  std::vector<double> matrix;  // order x order, row-major
};

// Eigenvalues and observables of a prepared window of length `window` (m eigenvalues).
void solvePreparedWindow(const KernelTable& kernels, const PreparedWindow& p, int64_t window, Detrend detrend,
                         int64_t m, double beta, SpectrumOut& out);

class WindowState {
 public:
  WindowState(int64_t probes, const SpectrumOptions& spectrum, int64_t rebuildPeriod, const KernelTable& kernels);

  int64_t probes() const { return n_; }
  int64_t eigenCount() const { return W_ - 1 < n_ ? W_ - 1 : n_; }
  bool full() const { return count_ >= W_; }
  bool fullAfterPush() const { return count_ + 1 >= W_; }

  // `row` holds n transformed losses in float64. A bad row is stored as equal to the
  // reference and makes every window containing it degenerate.
  void push(const double* row, bool bad);
  // A spare row (n doubles, padded) a caller may fill and then push: push(stagingRow(), ...)
  // takes it into the window without a copy (it trades places with the oldest row). Filling
  // it changes nothing until that push, so a row can be read, checked and refused here.
  double* stagingRow() { return rows_.data() + spare_ * np_; }
  PreparedWindow prepare();
  // The lazy form of prepare(), for a window read later: checks the window as prepare()
  // does (a Gram that is not good is rebuilt first) and appends its record to a journal
  // chunk (pending_journal.hpp) of `length` doubles at offset `at`, which must leave
  // longestRecord() doubles of room; returns the record's end. O(W) for a column record,
  // O(W^2) for a base: one after every change of the whole Gram, and the first in a chunk
  // (`freshChunk`). With n < W the record is the prepared n x n matrix (it needs the rows).
  int64_t longestRecord() const;
  int64_t appendPending(double* chunk, int64_t length, int64_t at, bool freshChunk);
  // The Gram as held now (W x W, slot order; empty when n < W), for tests.
  const std::vector<double>& gram() const { return gram_; }
  // Everything, eigenvectors included (topK of the options), for the current window.
  void spectrum(SpectrumOut& out);

  // Everything that determines future results, for snapshots: restoring it continues bit
  // for bit where the exported state left off.
  struct Saved {
    std::vector<double> rows;        // W x n raw rows, row-major, slot order
    std::vector<double> gram;        // W x W (empty unless dual)
    std::vector<double> reference;   // n
    std::vector<int64_t> positions;  // W: the push index each slot holds
    std::vector<uint8_t> bad;        // W
    int64_t count = 0;
    int64_t sinceRebuild = 0;
    bool hasReference = false;
    int scaleExp = 0;
    bool scaleChosen = false;
    double level = 0;  // see Conditioning::good
  };
  Saved save() const;
  // Throws CoreError (with the reason) unless `saved` is a state this window could have
  // reached: sizes, counters, positions, flags, finite values, a symmetric Gram that agrees
  // with the rows. Nothing changes when it throws.
  void load(const Saved& saved);

 private:
  double* row(int64_t slot) { return rows_.data() + block_[slot] * np_; }
  const double* row(int64_t slot) const { return rows_.data() + block_[slot] * np_; }
  int64_t filled() const { return count_ < W_ ? count_ : W_; }
  int64_t slotOf(int64_t timeIndex) const { return (count_ + timeIndex) % W_; }  // full windows
  bool containsBad() const;
  void moveReference(int64_t slot);
  void rebuild(int64_t refSlot);

  int64_t n_, np_, W_, rebuildPeriod_;
  SpectrumOptions spectrum_;
  const KernelTable& k_;
  bool dual_;
  Deflation deflation_;
  AlignedBuffer rows_, ref_, y_;  // rows_: W + 1 blocks of np_ doubles
  std::vector<int64_t> block_;    // the block of rows_ each slot's row is in
  int64_t spare_ = 0;             // the block that is no slot's (stagingRow)
  std::vector<double> gram_;      // W x W, slot order (dual only)
  std::vector<uint8_t> bad_;
  int64_t count_ = 0, sinceRebuild_ = 0;
  // Changes of the whole Gram (reference moves, rebuilds, loads), and the journal's last base:
  // a record after a change, or after a push without a record, must be a base.
  int64_t gramEpoch_ = 0, journaledEpoch_ = -1, journaledCount_ = -1, journalBase_ = 0;
  bool hasRef_ = false, scaleChosen_ = false;
  int scaleExp_ = 0;
  double level_ = 0;  // see Conditioning::good
  std::vector<const double*> ptrs_;
  std::vector<double> dots_;
};

}  // namespace rdm2
