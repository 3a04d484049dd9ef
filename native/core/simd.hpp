// Lane vectors for the per-ISA kernels: GCC vector extensions, so one source compiles to
// SSE2, AVX2 or AVX-512 instructions depending on the flags of the translation unit that
// includes it. Included only by kernels_isa.hpp, inside that unit's own namespace, so
// nothing here is shared (or merged by the linker) between instruction sets.
//
// A lane vector Lanes<K, R> holds one value of each of L = K x R independent problems (L windows solved together) in K
// machine registers; every operation is element-wise, so each lane computes exactly what it would compute alone. K > 1
// gives the CPU K independent instruction chains where one chain would wait on latency (GCC's own over-wide vector
// types compile to poor code, hence this small wrapper).

#define RDM2_INLINE __attribute__((always_inline)) inline

#if defined(__AVX512F__)
constexpr int kRegisterDoubles = 8;
#elif defined(__AVX__)
constexpr int kRegisterDoubles = 4;
#else
constexpr int kRegisterDoubles = 2;
#endif

// Register types by width in doubles. Width 1 is plain scalar code: the same solver source
// runs one window at a time (the streaming monitor) without wasting lanes.
template <int R>
struct Reg;
template <>
struct Reg<1> {
  typedef double V __attribute__((vector_size(8)));
  typedef long M __attribute__((vector_size(8)));
};
template <>
struct Reg<2> {
  typedef double V __attribute__((vector_size(16)));
  typedef long M __attribute__((vector_size(16)));
};
template <>
struct Reg<4> {
  typedef double V __attribute__((vector_size(32)));
  typedef long M __attribute__((vector_size(32)));
};
template <>
struct Reg<8> {
  typedef double V __attribute__((vector_size(64)));
  typedef long M __attribute__((vector_size(64)));
};
typedef Reg<kRegisterDoubles>::V NativeV;

template <int K, int R>
struct Mask {
  typename Reg<R>::M m[K];
  RDM2_INLINE bool operator[](int l) const { return m[l / R][l % R] != 0; }
  RDM2_INLINE Mask operator&(Mask o) const {
    Mask r;
    for (int k = 0; k < K; ++k) r.m[k] = m[k] & o.m[k];
    return r;
  }
  RDM2_INLINE Mask operator|(Mask o) const {
    Mask r;
    for (int k = 0; k < K; ++k) r.m[k] = m[k] | o.m[k];
    return r;
  }
  RDM2_INLINE Mask operator~() const {
    Mask r;
    for (int k = 0; k < K; ++k) r.m[k] = ~m[k];
    return r;
  }
  RDM2_INLINE Mask& operator&=(Mask o) { return *this = *this & o; }
  RDM2_INLINE Mask& operator|=(Mask o) { return *this = *this | o; }
};

// K registers of R doubles: L = K R lanes.
template <int K, int R>
struct Lanes {
  static constexpr int count = K * R;
  typedef typename Reg<R>::V V;
  typedef Mask<K, R> MaskType;
  V v[K];

  static RDM2_INLINE Lanes splat(double x) {
    Lanes r;
    for (int k = 0; k < K; ++k) r.v[k] = V{} + x;
    return r;
  }
  RDM2_INLINE double operator[](int l) const { return v[l / R][l % R]; }

#define RDM2_LANE_OP(op)                                    \
  RDM2_INLINE Lanes operator op(Lanes o) const {            \
    Lanes r;                                                \
    for (int k = 0; k < K; ++k) r.v[k] = v[k] op o.v[k];    \
    return r;                                               \
  }                                                         \
  RDM2_INLINE Lanes operator op(double s) const {           \
    Lanes r;                                                \
    for (int k = 0; k < K; ++k) r.v[k] = v[k] op s;         \
    return r;                                               \
  }                                                         \
  friend RDM2_INLINE Lanes operator op(double s, Lanes o) { \
    Lanes r;                                                \
    for (int k = 0; k < K; ++k) r.v[k] = s op o.v[k];       \
    return r;                                               \
  }                                                         \
  RDM2_INLINE Lanes& operator op##=(Lanes o) {              \
    return *this = *this op o;                              \
  }                                                         \
  RDM2_INLINE Lanes& operator op##=(double s) {             \
    return *this = *this op s;                              \
  }
  RDM2_LANE_OP(+)
  RDM2_LANE_OP(-)
  RDM2_LANE_OP(*)
  RDM2_LANE_OP(/)
#undef RDM2_LANE_OP
  RDM2_INLINE Lanes operator-() const {
    Lanes r;
    for (int k = 0; k < K; ++k) r.v[k] = -v[k];
    return r;
  }

#define RDM2_LANE_CMP(op)                                \
  RDM2_INLINE MaskType operator op(Lanes o) const {      \
    MaskType r;                                          \
    for (int k = 0; k < K; ++k) r.m[k] = v[k] op o.v[k]; \
    return r;                                            \
  }                                                      \
  RDM2_INLINE MaskType operator op(double s) const {     \
    MaskType r;                                          \
    for (int k = 0; k < K; ++k) r.m[k] = v[k] op s;      \
    return r;                                            \
  }
  RDM2_LANE_CMP(==)
  RDM2_LANE_CMP(!=)
  RDM2_LANE_CMP(<)
  RDM2_LANE_CMP(<=)
  RDM2_LANE_CMP(>)
  RDM2_LANE_CMP(>=)
#undef RDM2_LANE_CMP
};

template <class V>
RDM2_INLINE V splat(double x) {
  return V::splat(x);
}

template <int K, int R>
RDM2_INLINE Lanes<K, R> select(Mask<K, R> mask, Lanes<K, R> a, Lanes<K, R> b) {
  Lanes<K, R> r;
  for (int k = 0; k < K; ++k) r.v[k] = mask.m[k] ? a.v[k] : b.v[k];
  return r;
}

// Element-wise functions, written per element so GCC emits the packed instruction.
#define RDM2_LANE_FN(name, expr)                    \
  template <int K, int R>                           \
  RDM2_INLINE Lanes<K, R> name(Lanes<K, R> x) {     \
    Lanes<K, R> r;                                  \
    for (int k = 0; k < K; ++k)                     \
      for (int l = 0; l < R; ++l) r.v[k][l] = expr; \
    return r;                                       \
  }
RDM2_LANE_FN(vsqrt, __builtin_sqrt(x.v[k][l]))
RDM2_LANE_FN(vabs, __builtin_fabs(x.v[k][l]))
#undef RDM2_LANE_FN

template <int K, int R>
RDM2_INLINE Lanes<K, R> vcopysign(Lanes<K, R> magnitude, Lanes<K, R> sign) {
  Lanes<K, R> r;
  for (int k = 0; k < K; ++k)
    for (int l = 0; l < R; ++l) r.v[k][l] = __builtin_copysign(magnitude.v[k][l], sign.v[k][l]);
  return r;
}

// 1 / x for x >= 0. On AVX-512 the 14-bit estimate plus two Newton steps (within a few
// ulps, and no divider: division throughput bounds the QL iteration), with x raised to
// 2^-1000 at least, so zeros and subnormals give a large finite value rather than infinity
// (the callers mask those lanes). Elsewhere a division.
template <int K, int R>
RDM2_INLINE Lanes<K, R> reciprocal(Lanes<K, R> x) {
#if defined(__AVX512F__)
  if constexpr (R == 8) {
    Lanes<K, R> r;
    const __m512d one = _mm512_set1_pd(1.0), tiny = _mm512_set1_pd(0x1p-1000);
    for (int k = 0; k < K; ++k) {
      // max returns its second operand for a NaN: garbage lanes stay finite.
      // The maskz forms (all lanes): the plain ones pass GCC 12 an "undefined" source register,
      // which it then reports as maybe uninitialized.
      const __m512d v = _mm512_maskz_max_pd(0xFF, reinterpret_cast<__m512d>(x.v[k]), tiny);
      __m512d y = _mm512_maskz_rcp14_pd(0xFF, v);
      y = _mm512_fmadd_pd(y, _mm512_fnmadd_pd(v, y, one), y);
      y = _mm512_fmadd_pd(y, _mm512_fnmadd_pd(v, y, one), y);
      r.v[k] = reinterpret_cast<typename Lanes<K, R>::V>(y);
    }
    return r;
  }
#endif
  return 1.0 / x;
}

// One bit per lane (the mask's sign bits), without a scalar loop over lanes.
template <int K, int R>
RDM2_INLINE unsigned maskBits(Mask<K, R> m) {
  unsigned bits = 0;
  for (int k = 0; k < K; ++k) {
    unsigned b = 0;
#if defined(__AVX512F__) && defined(__AVX512DQ__)
    if constexpr (R == 8)
      b = _mm512_movepi64_mask(reinterpret_cast<__m512i>(m.m[k]));
    else
#endif
#if defined(__AVX__)
        if constexpr (R == 4)
      b = static_cast<unsigned>(_mm256_movemask_pd(reinterpret_cast<__m256d>(m.m[k])));
    else
#endif
        if constexpr (R == 2)
      b = static_cast<unsigned>(_mm_movemask_pd(reinterpret_cast<__m128d>(m.m[k])));
    else
      for (int l = 0; l < R; ++l) b |= (m.m[k][l] != 0 ? 1u : 0u) << l;
    bits |= b << (k * R);
  }
  return bits;
}

template <int K, int R>
RDM2_INLINE bool allOf(Mask<K, R> m) {
  return maskBits(m) == (K * R == 32 ? ~0u : (1u << (K * R)) - 1u);
}

template <int K, int R>
RDM2_INLINE bool anyOf(Mask<K, R> m) {
  return maskBits(m) != 0;
}
