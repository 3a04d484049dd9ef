// One pass over a checkpoint's losses for the statistics the command line reports beside the
// spectrum: each probe's smallest and largest loss (the log-transform proposal) and the row's
// sum (the mean-loss baselines). Included only by kernels_isa.hpp, after dot_kernels.hpp,
// inside the per-ISA namespace.

// The row sum's order, the same on every instruction set: eight partial sums, partial l
// adding the values of columns c = l (mod 8) in increasing c from +0, then
// ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)). Eight chains instead of one: the sum
// runs at the speed of the loads, and rounds less than a left-to-right sum.
constexpr int kSumLanes = 8;
typedef Lanes<kSumLanes / kRegisterDoubles, kRegisterDoubles> SumV;

template <typename T>
RDM2_INLINE SumV loadSum(const T* x) {
  SumV v;
  for (int k = 0; k < kSumLanes / kRegisterDoubles; ++k) v.v[k] = loadAsDoubles(x + k * kRegisterDoubles);
  return v;
}

template <typename T>
static double summarizeRowOf(const T* x, int64_t n, double* lo, double* hi, double* notPositive) {
  SumV acc = SumV::splat(0.0);
  int64_t c = 0;
  const int64_t whole = n / kSumLanes * kSumLanes;
  if (lo) {
    const SumV zero = SumV::splat(0.0), one = SumV::splat(1.0), inf = SumV::splat(__builtin_inf());
    for (; c < whole; c += kSumLanes) {
      const SumV v = loadSum(x + c);
      acc += v;
      SumV l, h, b;
      __builtin_memcpy(&l, lo + c, sizeof l);
      __builtin_memcpy(&h, hi + c, sizeof h);
      __builtin_memcpy(&b, notPositive + c, sizeof b);
      // As the TypeScript reference: a NaN compares false and changes neither bound.
      l = select(v < l, v, l);
      h = select(v > h, v, h);
      b = select((v > zero) & (v < inf), b, one);
      __builtin_memcpy(lo + c, &l, sizeof l);
      __builtin_memcpy(hi + c, &h, sizeof h);
      __builtin_memcpy(notPositive + c, &b, sizeof b);
    }
  } else {
    for (; c < whole; c += kSumLanes) acc += loadSum(x + c);
  }
  double s[kSumLanes];
  for (int l = 0; l < kSumLanes; ++l) s[l] = acc[l];
  for (; c < n; ++c) {
    const double v = static_cast<double>(x[c]);
    s[c - whole] += v;
    if (lo) {
      if (v < lo[c]) lo[c] = v;
      if (v > hi[c]) hi[c] = v;
      if (!(v > 0 && v < __builtin_inf())) notPositive[c] = 1.0;
    }
  }
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

static double summarizeRow(const void* x, bool f32, int64_t n, double* lo, double* hi, double* notPositive) {
  return f32 ? summarizeRowOf(static_cast<const float*>(x), n, lo, hi, notPositive)
             : summarizeRowOf(static_cast<const double*>(x), n, lo, hi, notPositive);
}
