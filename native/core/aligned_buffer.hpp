// Zeroed, 64-byte aligned storage of doubles for the SIMD kernels. Throws std::bad_alloc
// like any other allocation, so an out-of-memory reaches the caller as an error.
// Large buffers are mapped from the system directly and unmapped when freed: the window
// rings are megabytes each, and the allocator would otherwise keep them in a per-thread
// arena after every analysis (its mmap threshold grows with each large free).
#pragma once
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#if !defined(_WIN32)
#include <sys/mman.h>
#endif

namespace rdm2 {

class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(int64_t count) { resize(count); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  ~AlignedBuffer() { release(); }

  void resize(int64_t count) {
    if (count == size_) {
      clear();
      return;
    }
    release();
    if (count <= 0) return;
    bytes_ = (static_cast<size_t>(count) * sizeof(double) + 63) / 64 * 64;
#if !defined(_WIN32)
    if (bytes_ >= kMapped) {
      void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
      data_ = static_cast<double*>(p);  // zero-filled by the system
      mapped_ = true;
      size_ = count;
      return;
    }
#endif
    data_ = static_cast<double*>(std::aligned_alloc(64, bytes_));
    if (!data_) throw std::bad_alloc();
    size_ = count;
    clear();
  }
  void clear() {
    if (data_) std::memset(data_, 0, static_cast<size_t>(size_) * sizeof(double));
  }
  double* data() {
    return data_;
  }
  const double* data() const {
    return data_;
  }
  int64_t size() const {
    return size_;
  }

 private:
  static constexpr size_t kMapped = size_t{1} << 20;

  void release() {
#if !defined(_WIN32)
    if (mapped_)
      munmap(data_, bytes_);
    else
#endif
      std::free(data_);
    data_ = nullptr;
    size_ = 0;
    mapped_ = false;
  }

  double* data_ = nullptr;
  int64_t size_ = 0;
  size_t bytes_ = 0;
  bool mapped_ = false;
};

}  // namespace rdm2
