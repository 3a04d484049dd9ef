// Symmetric eigenproblems of L independent N x N matrices solved together, one matrix per
// SIMD lane (the windows of a batch analysis are independent, so their eigensolves can share
// every instruction). Each step is LAPACK's, per lane:
//   - Householder reduction to tridiagonal form (dsytd2, lower),
//   - eigenvalues only: the root-free Pal-Walker-Kahan QL iteration (dsterf's QL branch),
//   - eigenvectors: implicit QL with Givens rotations accumulated into Z (dsteqr's QL branch),
//     then the Householder back-transformation of the columns asked for.
// The QL iterations are the latency-bound part of a small eigensolve (a chain of divisions
// per step); running L problems in lockstep hides that latency.
//
// Lanes stay independent: where one lane has deflated or converged and another has not, the
// first is masked (its values are selected unchanged), and each lane's sweep starts at its
// own deflation point. So every lane computes exactly what it computes alone, whatever the
// other lanes hold: results do not depend on how windows are grouped.
//
// Storage: a lane array holds one V per index. A matrix is row-major with leading dimension
// ld >= N (lane values); only the lower triangle (j <= i) of the input is read.
// Included only by kernels_isa.hpp, after simd.hpp, inside the per-ISA namespace.

template <int K, int R>
struct LaneEigen {
  typedef Lanes<K, R> V;
  typedef Mask<K, R> M;
  static constexpr int L = V::count;

  static M noLanes() {
    const V z = splat<V>(0.0);
    return z != z;
  }

  // The reflector of column k (rows k+1..): v (v[k+1] = 1) also stored below the
  // subdiagonal of a, tau[k], e[k] and d[k]. Returns tau[k].
  static V reflector(int N, int64_t ld, V* a, int k, V* d, V* e, V* tau, V* v) {
    const V zero = splat<V>(0.0);
    const int r0 = k + 1;
    const V alpha = a[r0 * ld + k];
    V xn2 = zero;
    for (int i = r0 + 1; i < N; ++i) xn2 += a[i * ld + k] * a[i * ld + k];
    const M none = xn2 == zero;  // already tridiagonal in this column: no reflection
    const V beta = -vcopysign(vsqrt(alpha * alpha + xn2), alpha);
    const V t = select(none, zero, (beta - alpha) / beta);
    const V scale = select(none, zero, 1.0 / (alpha - beta));
    v[r0] = splat<V>(1.0);
    for (int i = r0 + 1; i < N; ++i) {
      v[i] = a[i * ld + k] * scale;
      a[i * ld + k] = v[i];
    }
    d[k] = a[k * ld + k];
    e[k] = select(none, alpha, beta);
    tau[k] = t;
    return t;
  }

  // A = Q T Q^T. On return d[0..N) is T's diagonal and e[0..N-1) its subdiagonal; the
  // reflectors H_k = I - tau_k v_k v_k^T (v_k[k+1] = 1, v_k[i] = a[i ld + k] for i > k + 1)
  // stay in a. Workspace: 4 N lane values.
  //
  // Each step updates the trailing block, B -= v w^T + w v^T, and the next step needs
  // p' = t' B v' of the updated block: done in one pass over the block, not two (the column
  // v' comes from is updated first). The block lives in L2 for any useful batch, so the
  // passes over it are what the reduction costs.
  static void tridiagonalize(int N, int64_t ld, V* a, V* d, V* e, V* tau, V* work) {
    const V zero = splat<V>(0.0);
    V *v = work, *p = work + N, *vn = work + 2 * N, *pn = work + 3 * N;
    if (N >= 3) {
      // The first step's p = t B v, on its own.
      const V t = reflector(N, ld, a, 0, d, e, tau, v);
      for (int i = 1; i < N; ++i) p[i] = zero;
      for (int i = 1; i < N; ++i) {
        const V* row = a + i * ld;
        V acc[4] = {zero, zero, zero, zero};
        int c = 1;
        for (; c + 4 <= i; c += 4)
          for (int u = 0; u < 4; ++u) {
            acc[u] += row[c + u] * v[c + u];
            p[c + u] += row[c + u] * v[i];
          }
        for (; c < i; ++c) {
          acc[0] += row[c] * v[c];
          p[c] += row[c] * v[i];
        }
        p[i] += ((acc[0] + acc[1]) + (acc[2] + acc[3])) + row[i] * v[i];
      }
      for (int i = 1; i < N; ++i) p[i] *= t;
    }
    for (int k = 0; k + 2 < N; ++k) {
      const int r0 = k + 1;
      // w = p - (t/2)(p.v) v, in p.
      V pv = zero;
      for (int i = r0; i < N; ++i) pv += p[i] * v[i];
      const V half = -0.5 * tau[k] * pv;
      for (int i = r0; i < N; ++i) p[i] += half * v[i];
      // Column r0 of the updated block first: the next reflector comes from it.
      for (int i = r0; i < N; ++i) a[i * ld + r0] -= v[i] * p[r0] + p[i] * v[r0];
      const bool next = k + 3 < N;
      const V tn = next ? reflector(N, ld, a, r0, d, e, tau, vn) : zero;
      const int c0 = r0 + 1;
      for (int i = c0; i < N; ++i) pn[i] = zero;
      for (int i = c0; i < N; ++i) {
        V* row = a + i * ld;
        const V vi = v[i], wi = p[i], vni = next ? vn[i] : zero;
        V acc[4] = {zero, zero, zero, zero};
        int c = c0;
        if (next) {
          for (; c + 4 <= i; c += 4)
            for (int u = 0; u < 4; ++u) {
              const V b = row[c + u] - (vi * p[c + u] + wi * v[c + u]);
              row[c + u] = b;
              acc[u] += b * vn[c + u];
              pn[c + u] += b * vni;
            }
          for (; c < i; ++c) {
            const V b = row[c] - (vi * p[c] + wi * v[c]);
            row[c] = b;
            acc[0] += b * vn[c];
            pn[c] += b * vni;
          }
          const V b = row[i] - (vi * p[i] + wi * v[i]);
          row[i] = b;
          pn[i] += ((acc[0] + acc[1]) + (acc[2] + acc[3])) + b * vni;
        } else {
          for (; c <= i; ++c) row[c] -= vi * p[c] + wi * v[c];
        }
      }
      if (!next) break;
      for (int i = c0; i < N; ++i) pn[i] *= tn;
      V* t1 = v;
      v = vn;
      vn = t1;
      t1 = p;
      p = pn;
      pn = t1;
    }
    if (N >= 2) {
      d[N - 2] = a[(N - 2) * ld + N - 2];
      e[N - 2] = a[(N - 1) * ld + N - 2];
      tau[N - 2] = zero;
    }
    d[N - 1] = a[(N - 1) * ld + N - 1];
  }

  // A <- H A H with H = I - beta h h^T (h shared by every lane): A symmetric of order
  // `size`, leading dimension ld, lower triangle read and written. Workspace p: size lane
  // values.
  static void reflect(int size, int64_t ld, const double* h, double beta, V* a, V* p) {
    const V zero = splat<V>(0.0);
    // p = beta A h, from the lower triangle.
    for (int i = 0; i < size; ++i) p[i] = zero;
    for (int i = 0; i < size; ++i) {
      const V* row = a + i * ld;
      const double hi = h[i];
      V acc[4] = {zero, zero, zero, zero};
      int j = 0;
      for (; j + 4 <= i; j += 4)
        for (int u = 0; u < 4; ++u) {
          acc[u] += row[j + u] * h[j + u];
          p[j + u] += row[j + u] * hi;
        }
      for (; j < i; ++j) {
        acc[0] += row[j] * h[j];
        p[j] += row[j] * hi;
      }
      p[i] += ((acc[0] + acc[1]) + (acc[2] + acc[3])) + row[i] * hi;
    }
    V hp = zero;
    for (int i = 0; i < size; ++i) {
      p[i] *= beta;
      hp += p[i] * h[i];
    }
    const V half = -0.5 * beta * hp;
    for (int i = 0; i < size; ++i) p[i] += half * h[i];
    for (int i = 0; i < size; ++i) {
      V* row = a + i * ld;
      const V wi = p[i];
      const double hi = h[i];
      for (int j = 0; j <= i; ++j) row[j] -= hi * p[j] + wi * h[j];
    }
  }

  // u <- Q u for `count` vectors u (each N lane values, stored one after another).
  static void backTransform(int N, int64_t ld, const V* a, const V* tau, V* u, int count) {
    for (int j = 0; j < count; ++j) {
      V* x = u + j * N;
      for (int k = N - 3; k >= 0; --k) {
        V s = x[k + 1];
        for (int i = k + 2; i < N; ++i) s += a[i * ld + k] * x[i];
        s *= tau[k];
        x[k + 1] -= s;
        for (int i = k + 2; i < N; ++i) x[i] -= s * a[i * ld + k];
      }
    }
  }

  // Per lane: the first m >= l with a negligible e[m] (set to exactly zero), or N - 1.
  template <class Negligible>
  static V findSplit(int N, int l, V* e, Negligible negligible) {
    V m = splat<V>(N - 1);
    M found = noLanes();
    for (int i = l; i + 1 < N; ++i) {
      const M small = negligible(i);
      const M first = small & ~found;
      m = select(first, splat<V>(i), m);
      e[i] = select(first, splat<V>(0.0), e[i]);
      found |= small;
      if (allOf(found)) break;
    }
    return m;
  }

  static int highest(V m, M active) {
    int top = 0;
    for (int l = 0; l < L; ++l)
      if (active[l] && m[l] > top) top = static_cast<int>(m[l]);
    return top;
  }

  static int lowest(V m, M active, int top) {
    int low = top;
    for (int l = 0; l < L; ++l)
      if (active[l] && m[l] < low) low = static_cast<int>(m[l]);
    return low;
  }

  // Eigenvalues of the symmetric tridiagonal (d, e), left in d unsorted; e is destroyed
  // (it needs N entries). Returns the lanes that did not converge in maxSweeps sweeps.
  static M eigenvalues(int N, V* d, V* e, int maxSweeps) {
    const double eps2 = 0x1p-106;  // (2^-53)^2, LAPACK's dlamch('E') squared
    const V zero = splat<V>(0.0), one = splat<V>(1.0);
    for (int i = 0; i + 1 < N; ++i) e[i] *= e[i];
    V sweeps = zero;
    M failed = noLanes();
    for (int l = 0; l < N;) {
      const V m = findSplit(N, l, e, [&](int i) { return vabs(e[i]) <= eps2 * vabs(d[i] * d[i + 1]); });
      M active = (m != splat<V>(l)) & ~failed;
      const M over = active & (sweeps >= maxSweeps);
      failed |= over;
      active &= ~over;
      if (!anyOf(active)) {
        ++l;
        continue;
      }
      sweeps += select(active, one, zero);
      // Shift from the leading 2 x 2 block.
      const V p0 = d[l];
      const V rte = vsqrt(e[l]);
      V sigma = (d[l + 1] - p0) / (2.0 * rte);
      const V r0 = vsqrt(sigma * sigma + 1.0);
      sigma = p0 - rte / (sigma + vcopysign(r0, sigma));
      V c = one, s = zero, gamma = zero, p = zero;
      // One step of dsterf's inner loop at row i for the lanes in `live`; with `first`, the
      // lanes in `start` begin their sweep here (each lane starts at its own split m).
      auto step = [&](int i, M live, bool first, M start) __attribute__((always_inline)) {
        if (first) {
          gamma = select(start, d[i + 1] - sigma, gamma);
          p = select(start, gamma * gamma, p);
          c = select(start, one, c);
          s = select(start, zero, s);
        }
        const V bb = e[i];
        const V r = p + bb;
        e[i + 1] = select(first ? live & ~start : live, s * r, e[i + 1]);
        // dsterf's step with c = p / r and s = bb / r, rearranged so the chain from one p
        // to the next holds one reciprocal: gamma r = p (alpha - sigma) - bb gamma_old needs
        // none, and the next p = gamma^2 / c = gamma (gamma r) / p. The two reciprocals do
        // not wait for each other. (p = 0 takes the other branch below; lanes not in the
        // step compute garbage that is never stored.)
        const V rinv = reciprocal(r), pinv = reciprocal(p);
        const V oldc = c;
        const V alpha = d[i];
        const V gr = p * (alpha - sigma) - bb * gamma;
        c = p * rinv;
        s = bb * rinv;
        const V oldgam = gamma;
        gamma = gr * rinv;
        d[i + 1] = select(live, oldgam + (alpha - gamma), d[i + 1]);
        // gamma (gamma r / p) keeps every intermediate near the magnitude of p.
        p = select(c != zero, gamma * (gr * pinv), oldc * bb);
      };
      const int top = highest(m, active), low = lowest(m, active, top);
      // Rows where some lane has not started yet: per-lane start and live masks.
      for (int i = top - 1; i >= low - 1 && i >= l; --i) {
        const V fi = splat<V>(i);
        step(i, active & (fi < m), true, active & (m == fi + 1.0));
      }
      // Below every lane's start: all active lanes are in the sweep.
      for (int i = low - 2; i >= l; --i) step(i, active, false, active);
      e[l] = select(active, s * p, e[l]);
      d[l] = select(active, sigma + gamma, d[l]);
    }
    return failed;
  }

  // Eigenvalues in d (unsorted) and, when z is not null, the eigenvectors of the tridiagonal
  // in the columns of z (N x N, row-major: z[r N + col]); e is destroyed (N entries).
  // Returns the lanes that did not converge. The rotations applied to z never feed back, so
  // the eigenvalues are the same bits with and without vectors.
  static M eigenvectors(int N, V* d, V* e, V* z, int maxSweeps) {
    const double eps2 = 0x1p-106;
    const double safmin = 0x1p-1022;
    const V zero = splat<V>(0.0), one = splat<V>(1.0);
    if (z) {
      for (int i = 0; i < N * N; ++i) z[i] = zero;
      for (int i = 0; i < N; ++i) z[i * N + i] = one;
    }
    V sweeps = zero;
    M failed = noLanes();
    for (int l = 0; l < N;) {
      const V m =
          findSplit(N, l, e, [&](int i) { return e[i] * e[i] <= (eps2 * vabs(d[i])) * vabs(d[i + 1]) + safmin; });
      M active = (m != splat<V>(l)) & ~failed;
      const M over = active & (sweeps >= maxSweeps);
      failed |= over;
      active &= ~over;
      if (!anyOf(active)) {
        ++l;
        continue;
      }
      sweeps += select(active, one, zero);
      const V p0 = d[l];
      const V g0 = (d[l + 1] - p0) / (2.0 * e[l]);
      const V r0 = vsqrt(g0 * g0 + 1.0);
      const V q = e[l] / (g0 + vcopysign(r0, g0));
      V c = one, s = one, p = zero, g = zero;
      for (int i = highest(m, active) - 1; i >= l; --i) {
        const V fi = splat<V>(i);
        const M start = active & (m == fi + 1.0);
        const M live = active & (fi < m);
        g = select(start, (d[i + 1] - p0) + q, g);
        s = select(start, one, s);
        c = select(start, one, c);
        p = select(start, zero, p);
        const V f = s * e[i];
        const V b = c * e[i];
        // A Givens rotation with c g + s f = r, -s g + c f = 0 (dlartg).
        const M fz = f == zero, gz = g == zero;
        V r = vsqrt(g * g + f * f);
        const V cn = select(fz, one, select(gz, zero, g / r));
        const V sn = select(fz, zero, select(gz, one, f / r));
        r = select(fz, g, select(gz, f, r));
        e[i + 1] = select(live & ~start, r, e[i + 1]);
        g = d[i + 1] - p;
        const V rr = (d[i] - g) * sn + 2.0 * cn * b;
        p = sn * rr;
        d[i + 1] = select(live, g + p, d[i + 1]);
        g = cn * rr - b;
        c = cn;
        s = sn;
        if (z)
          for (int k = 0; k < N; ++k) {
            const V zi = z[k * N + i], zi1 = z[k * N + i + 1];
            z[k * N + i + 1] = select(live, cn * zi1 + sn * zi, zi1);
            z[k * N + i] = select(live, cn * zi - sn * zi1, zi);
          }
      }
      d[l] = select(active, d[l] - p, d[l]);
      e[l] = select(active, g, e[l]);
    }
    return failed;
  }
};
