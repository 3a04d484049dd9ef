// Plain value types shared by the core. No Node headers here.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace rdm2 {

enum class Detrend { None, Linear };
enum class Transform { None, Log };
enum class DType { F32, F64 };
enum class SolvePath { Auto, Gram, Covariance };
// What to do with a loss that is NaN or infinite (or not > 0 under the log
// transform): not checked here (the caller did), stop, or mark the windows
// containing its row degenerate.
enum class NonFinite { Unchecked, Error, SkipWindow };

// A read-only T x n loss matrix. Rows are checkpoints, columns are probes.
// rowStride/colStride are in elements, so row-major, column-major and
// byte-offset views are all read in place without copying.
struct InputMatrix {
  const void* data = nullptr;
  DType dtype = DType::F64;
  int64_t rows = 0;
  int64_t cols = 0;
  int64_t rowStride = 0;
  int64_t colStride = 1;
  // Optional: one flag per row; a window containing a flagged row is reported
  // as degenerate (the 'skip-window' policy for non-finite losses).
  const uint8_t* badRows = nullptr;

  double at(int64_t r, int64_t c) const {
    const int64_t i = r * rowStride + c * colStride;
    return dtype == DType::F32 ? static_cast<double>(static_cast<const float*>(data)[i])
                               : static_cast<const double*>(data)[i];
  }
};

struct SpectrumOptions {
  int64_t window = 0;
  Detrend detrend = Detrend::None;
  double beta = 1.0;
  int64_t topK = 0;
};

struct AnalysisOptions {
  SpectrumOptions spectrum;
  int64_t stride = 1;
  Transform transform = Transform::None;
  int threads = 1;
  // Windows per independently computed block. Blocks are fixed by the data and
  // options, never by the thread count, so results are bit-identical whatever
  // `threads` is. 0 = choose automatically.
  int64_t blockWindows = 0;
  // Move the reference row to the newest row every `rebuildPeriod` pushes. 0 = the window length.
  int64_t rebuildPeriod = 0;
  // Debug/benchmark switch: recompute every window's Gram from scratch.
  bool scratch = false;
  // Which matrix is diagonalised: Auto picks the W x W Gram when W <= n and
  // the n x n covariance otherwise. Forcing one exists for tests and benchmarks.
  SolvePath path = SolvePath::Auto;
  NonFinite nonFinite = NonFinite::Unchecked;
  // Which compiled kernels run (see isa.hpp); every path gives the same results to rounding.
  int isa = -1;  // -1: the process-wide choice
};

// Thrown for inputs the core cannot process; the addon turns it into a JS error.
struct CoreError : std::runtime_error {
  explicit CoreError(const std::string& what) : std::runtime_error(what) {}
};

// The first loss that cannot be analysed, under NonFinite::Error. The TypeScript
// layer words the user-facing message from these fields.
struct NonFiniteError : CoreError {
  NonFiniteError(int64_t r, int64_t c, double v)
      : CoreError("non-finite loss at row " + std::to_string(r) + ", column " + std::to_string(c)),
        row(r),
        column(c),
        value(v) {}
  int64_t row, column;
  double value;
};

}  // namespace rdm2
