// Dot products of loss rows, the O(W n) part of every window. Included only by
// kernels_isa.hpp, after simd.hpp, inside the per-ISA namespace.
//
// Rows handed to these kernels are padded with zeros to a multiple of kRowPad doubles and
// 64-byte aligned (the callers allocate them that way), so the loops need no tail.

// Register tile of the band kernel: kTileA new rows x kTileB old rows of accumulators.
#if defined(__AVX512F__)
constexpr int kTileA = 4, kTileB = 4;
#elif defined(__AVX__)
constexpr int kTileA = 3, kTileB = 3;
#else
constexpr int kTileA = 2, kTileB = 3;
#endif
// Doubles per chunk of the contraction: a chunk of the tile's rows stays in L1 while every
// old row's chunk streams past it.
constexpr int64_t kChunk = 256;

RDM2_INLINE NativeV loadV(const double* p) {
  NativeV v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

RDM2_INLINE double horizontalSum(NativeV v) {
  double s = 0.0;
  for (int l = 0; l < kRegisterDoubles; ++l) s += v[l];
  return s;
}

// acc[i][j] += a_i[c0..c1) . b_j[c0..c1), with na <= kTileA, nb <= kTileB.
template <int NA, int NB>
RDM2_INLINE void microKernel(const double* const* a, const double* const* b, int64_t c0, int64_t c1,
                             NativeV (*acc)[kTileB]) {
  NativeV s[NA][NB];
  for (int i = 0; i < NA; ++i)
    for (int j = 0; j < NB; ++j) s[i][j] = acc[i][j];
  for (int64_t c = c0; c < c1; c += kRegisterDoubles) {
    NativeV av[NA], bv[NB];
    for (int i = 0; i < NA; ++i) av[i] = loadV(a[i] + c);
    for (int j = 0; j < NB; ++j) bv[j] = loadV(b[j] + c);
    for (int i = 0; i < NA; ++i)
      for (int j = 0; j < NB; ++j) s[i][j] += av[i] * bv[j];
  }
  for (int i = 0; i < NA; ++i)
    for (int j = 0; j < NB; ++j) acc[i][j] = s[i][j];
}

template <int NA>
RDM2_INLINE void microKernelRows(int nb, const double* const* a, const double* const* b, int64_t c0, int64_t c1,
                                 NativeV (*acc)[kTileB]) {
  switch (nb) {
    case 1:
      microKernel<NA, 1>(a, b, c0, c1, acc);
      break;
    case 2:
      if constexpr (kTileB >= 2) microKernel<NA, 2>(a, b, c0, c1, acc);
      break;
    case 3:
      if constexpr (kTileB >= 3) microKernel<NA, 3>(a, b, c0, c1, acc);
      break;
    case 4:
      if constexpr (kTileB >= 4) microKernel<NA, 4>(a, b, c0, c1, acc);
      break;
    default:
      break;
  }
}

RDM2_INLINE void microDispatch(int na, int nb, const double* const* a, const double* const* b, int64_t c0, int64_t c1,
                               NativeV (*acc)[kTileB]) {
  switch (na) {
    case 1:
      microKernelRows<1>(nb, a, b, c0, c1, acc);
      break;
    case 2:
      if constexpr (kTileA >= 2) microKernelRows<2>(nb, a, b, c0, c1, acc);
      break;
    case 3:
      if constexpr (kTileA >= 3) microKernelRows<3>(nb, a, b, c0, c1, acc);
      break;
    case 4:
      if constexpr (kTileA >= 4) microKernelRows<4>(nb, a, b, c0, c1, acc);
      break;
    default:
      break;
  }
}

// The Gram band of new rows against their window. rows[0..total) are padded rows in time
// order; the last `fresh` of them are new. For new row i (= total - fresh + t) and each
// k in [0, W) with i - W + 1 + k >= 0: out[t * W + k] = rows[i] . rows[i - W + 1 + k].
// `acc` is workspace of bandDotsWorkspace(fresh, W) vectors.
static int64_t bandDotsWorkspace(int fresh, int W) {
  const int panels = (fresh + kTileA - 1) / kTileA;
  const int blocksPerPanel = (W + kTileA - 1 + kTileB - 1) / kTileB;
  return static_cast<int64_t>(panels) * blocksPerPanel * kTileA * kTileB;
}

static void bandDots(const double* const* rows, int total, int fresh, int W, int64_t n, double* out,
                     NativeV* accSpace) {
  const int first = total - fresh;
  const int panels = (fresh + kTileA - 1) / kTileA;
  // Panel p holds new rows [r0, r0 + na) and needs the rows [r0 - W + 1, r0 + na).
  const int blocksPerPanel = (W + kTileA - 1 + kTileB - 1) / kTileB;
  auto accAt = [&](int p, int blk) {
    return reinterpret_cast<NativeV(*)[kTileB]>(accSpace +
                                                (static_cast<int64_t>(p) * blocksPerPanel + blk) * kTileA * kTileB);
  };
  for (int p = 0; p < panels; ++p)
    for (int blk = 0; blk < blocksPerPanel; ++blk) {
      NativeV(*acc)[kTileB] = accAt(p, blk);
      for (int i = 0; i < kTileA; ++i)
        for (int j = 0; j < kTileB; ++j) acc[i][j] = NativeV{};
    }
  for (int64_t c0 = 0; c0 < n; c0 += kChunk) {
    const int64_t c1 = c0 + kChunk < n ? c0 + kChunk : n;
    for (int p = 0; p < panels; ++p) {
      const int r0 = first + p * kTileA;
      const int na = fresh - p * kTileA < kTileA ? fresh - p * kTileA : kTileA;
      const int hi = r0 + na;  // one past the panel's last row
      const int lo = r0 - W + 1 < 0 ? 0 : r0 - W + 1;
      const double* a[kTileA];
      for (int i = 0; i < na; ++i) a[i] = rows[r0 + i];
      for (int blk = 0; blk * kTileB < hi - lo; ++blk) {
        const int b0 = lo + blk * kTileB;
        const int nb = hi - b0 < kTileB ? hi - b0 : kTileB;
        microDispatch(na, nb, a, rows + b0, c0, c1, accAt(p, blk));
      }
    }
  }
  for (int p = 0; p < panels; ++p) {
    const int r0 = first + p * kTileA;
    const int na = fresh - p * kTileA < kTileA ? fresh - p * kTileA : kTileA;
    const int hi = r0 + na;
    const int lo = r0 - W + 1 < 0 ? 0 : r0 - W + 1;
    for (int blk = 0; blk * kTileB < hi - lo; ++blk) {
      const int b0 = lo + blk * kTileB;
      const int nb = hi - b0 < kTileB ? hi - b0 : kTileB;
      NativeV(*acc)[kTileB] = accAt(p, blk);
      for (int i = 0; i < na; ++i) {
        const int row = r0 + i;
        for (int j = 0; j < nb; ++j) {
          const int col = b0 + j;
          const int k = col - (row - W + 1);
          if (k < 0 || k >= W) continue;
          out[static_cast<int64_t>(row - first) * W + k] = horizontalSum(acc[i][j]);
        }
      }
    }
  }
}

// out[j] = scale * sum_c (x_j[c] - ref[c]) * y[c] for j < count: a new row's dot products
// with stored raw rows, the reference subtracted on the fly.
static void dotsFromRaw(const double* const* x, int count, const double* ref, double scale, const double* y, int64_t n,
                        double* out) {
  int j = 0;
  for (; j + 4 <= count; j += 4) {
    NativeV s0{}, s1{}, s2{}, s3{};
    for (int64_t c = 0; c < n; c += kRegisterDoubles) {
      const NativeV r = loadV(ref + c), yv = loadV(y + c);
      s0 += (loadV(x[j] + c) - r) * yv;
      s1 += (loadV(x[j + 1] + c) - r) * yv;
      s2 += (loadV(x[j + 2] + c) - r) * yv;
      s3 += (loadV(x[j + 3] + c) - r) * yv;
    }
    out[j] = scale * horizontalSum(s0);
    out[j + 1] = scale * horizontalSum(s1);
    out[j + 2] = scale * horizontalSum(s2);
    out[j + 3] = scale * horizontalSum(s3);
  }
  for (; j < count; ++j) {
    NativeV s{};
    for (int64_t c = 0; c < n; c += kRegisterDoubles) s += (loadV(x[j] + c) - loadV(ref + c)) * loadV(y + c);
    out[j] = scale * horizontalSum(s);
  }
}

// y[c] = (x[c] - ref[c]) * scale; returns max |y[c]|. Also zeroes y's padding.
static double deviation(const double* x, const double* ref, double scale, int64_t n, int64_t padded, double* y) {
  NativeV mx{};
  int64_t c = 0;
  for (; c + kRegisterDoubles <= n; c += kRegisterDoubles) {
    const NativeV v = (loadV(x + c) - loadV(ref + c)) * scale;
    __builtin_memcpy(y + c, &v, sizeof v);
    const NativeV a = v < 0 ? -v : v;
    mx = a > mx ? a : mx;
  }
  double m = 0.0;
  for (int l = 0; l < kRegisterDoubles; ++l) m = mx[l] > m ? mx[l] : m;
  for (; c < n; ++c) {
    y[c] = (x[c] - ref[c]) * scale;
    const double a = __builtin_fabs(y[c]);
    m = a > m ? a : m;
  }
  for (; c < padded; ++c) y[c] = 0.0;
  return m;
}

// The same from the input row itself (float32 or float64): no float64 copy of it first.
// Returns NaN when the row holds a NaN or an infinity (x - x is 0 exactly for finite x), so
// the batch path needs no separate pass over its input to find unusable losses.
template <typename T>
static double deviationOf(const T* x, const double* ref, double scale, int64_t n, int64_t padded, double* y) {
  NativeV mx{}, finite{};
  int64_t c = 0;
  for (; c + kRegisterDoubles <= n; c += kRegisterDoubles) {
    NativeV xv;
    if constexpr (sizeof(T) == 4) {
      typedef float Floats __attribute__((vector_size(4 * kRegisterDoubles)));
      Floats f;
      __builtin_memcpy(&f, x + c, sizeof f);
      xv = __builtin_convertvector(f, NativeV);
    } else {
      xv = loadV(reinterpret_cast<const double*>(x) + c);
    }
    finite += xv - xv;
    const NativeV v = (xv - loadV(ref + c)) * scale;
    __builtin_memcpy(y + c, &v, sizeof v);
    const NativeV a = v < 0 ? -v : v;
    mx = a > mx ? a : mx;
  }
  double m = 0.0, f = horizontalSum(finite);
  for (int l = 0; l < kRegisterDoubles; ++l) m = mx[l] > m ? mx[l] : m;
  for (; c < n; ++c) {
    const double xc = static_cast<double>(x[c]);
    f += xc - xc;
    y[c] = (xc - ref[c]) * scale;
    const double a = __builtin_fabs(y[c]);
    m = a > m ? a : m;
  }
  for (; c < padded; ++c) y[c] = 0.0;
  return f == 0 ? m : f;
}

static double deviationFrom(const void* x, bool f32, const double* ref, double scale, int64_t n, int64_t padded,
                            double* y) {
  return f32 ? deviationOf(static_cast<const float*>(x), ref, scale, n, padded, y)
             : deviationOf(static_cast<const double*>(x), ref, scale, n, padded, y);
}

template <typename T>
static NativeV loadAsDoubles(const T* x) {
  if constexpr (sizeof(T) == 4) {
    typedef float Floats __attribute__((vector_size(4 * kRegisterDoubles)));
    Floats f;
    __builtin_memcpy(&f, x, sizeof f);
    return __builtin_convertvector(f, NativeV);
  } else {
    return loadV(reinterpret_cast<const double*>(x));
  }
}

template <typename T>
static int64_t convertOf(const T* x, int64_t n, double* y) {
  // The whole row first, with one finiteness test at the end (v - v is 0 for a finite value
  // and NaN otherwise, and NaN stays NaN in a sum; four sums so the additions overlap); a row
  // that fails (rare) is rescanned value by value to name the first bad column.
  NativeV acc[4] = {};
  int64_t c = 0;
  for (; c + 4 * kRegisterDoubles <= n; c += 4 * kRegisterDoubles)
    for (int u = 0; u < 4; ++u) {
      const NativeV v = loadAsDoubles(x + c + u * kRegisterDoubles);
      __builtin_memcpy(y + c + u * kRegisterDoubles, &v, sizeof v);
      acc[u] += v - v;
    }
  double tail = 0;
  for (; c < n; ++c) {
    y[c] = static_cast<double>(x[c]);
    tail += y[c] - y[c];
  }
  if (horizontalSum((acc[0] + acc[1]) + (acc[2] + acc[3])) + tail == 0) return -1;
  for (c = 0; c < n; ++c)
    if (!(y[c] - y[c] == 0)) return c;
  return -1;
}

static int64_t convertRow(const void* x, bool f32, int64_t n, double* y) {
  return f32 ? convertOf(static_cast<const float*>(x), n, y) : convertOf(static_cast<const double*>(x), n, y);
}

template <typename T>
static int64_t firstNonFiniteOf(const T* x, int64_t n) {
  // x - x is 0 exactly when x is finite (NaN otherwise, and NaN stays NaN in a sum): one
  // test per four registers of values; the element is found by the scalar scan after.
  typedef T Values __attribute__((vector_size(8 * kRegisterDoubles)));
  constexpr int per = static_cast<int>(8 * kRegisterDoubles / sizeof(T));
  int64_t c = 0;
  for (; c + 4 * per <= n; c += 4 * per) {
    Values acc{};
    for (int u = 0; u < 4; ++u) {
      Values v;
      __builtin_memcpy(&v, x + c + u * per, sizeof v);
      acc += v - v;
    }
    T sum = 0;
    for (int l = 0; l < per; ++l) sum += acc[l];
    if (!(sum == 0)) break;
  }
  for (; c < n; ++c)
    if (!(x[c] - x[c] == 0)) return c;
  return -1;
}

static int64_t firstNonFinite(const void* x, bool f32, int64_t n) {
  return f32 ? firstNonFiniteOf(static_cast<const float*>(x), n) : firstNonFiniteOf(static_cast<const double*>(x), n);
}

// out[c] = sum_i coef[i] * (x_i[c] - ref[c]) (ref may be null: no subtraction).
static void combineRows(const double* const* x, const double* coef, int count, const double* ref, int64_t n,
                        double* out) {
  for (int64_t c = 0; c < n; c += kRegisterDoubles) {
    NativeV s{};
    const NativeV r = ref ? loadV(ref + c) : NativeV{};
    for (int i = 0; i < count; ++i) s += coef[i] * (loadV(x[i] + c) - r);
    __builtin_memcpy(out + c, &s, sizeof s);
  }
}
