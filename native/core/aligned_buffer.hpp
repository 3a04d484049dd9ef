// Zeroed, 64-byte aligned storage of doubles for the SIMD kernels. Throws std::bad_alloc
// like any other allocation, so an out-of-memory reaches the caller as an error.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

namespace rdm2 {

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(int64_t count) { resize(count); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer() { std::free(data_); }

  void resize(int64_t count) {
    if (count == size_) {
      clear();
      return;
    }
    std::free(data_);
    data_ = nullptr;
    size_ = 0;
    if (count <= 0) return;
    const size_t bytes = (static_cast<size_t>(count) * sizeof(double) + 63) / 64 * 64;
    data_ = static_cast<double*>(std::aligned_alloc(64, bytes));
    if (!data_) throw std::bad_alloc();
    size_ = count;
    clear();
  }
  void clear() {
    if (data_) std::memset(data_, 0, static_cast<size_t>(size_) * sizeof(double));
  }
  double* data() { return data_; }
  const double* data() const { return data_; }
  int64_t size() const { return size_; }

 private:
  double* data_ = nullptr;
  int64_t size_ = 0;
};

}  // namespace rdm2
