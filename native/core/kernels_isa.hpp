// The body of one instruction set's kernels. kernels_<isa>.cpp defines RDM2_ISA_NAMESPACE
// and RDM2_ISA_TABLE and includes this file; CMake compiles each of those units with its own
// -march. Everything here lives in that unit's namespace and nothing from the standard
// library is instantiated (builtins only): the linker merges same-named inline functions
// across units, so shared code compiled for AVX-512 could otherwise end up called from the
// baseline path. test/isa_dispatch.test.ts checks the object files for exactly that.
#include <immintrin.h>

#include <cstdint>

#include "kernel_table.hpp"

namespace rdm2 {
namespace RDM2_ISA_NAMESPACE {

// The order matters: the kernels use simd.hpp's vectors.
// clang-format off
#include "simd.hpp"
#include "dot_kernels.hpp"
#include "lane_eigensolver.hpp"
// clang-format on

// Registers per lane vector of the batched eigensolver: two independent chains hide the
// latency of the QL iteration's divisions.
constexpr int kSolverRegisters = 2;
typedef LaneEigen<kSolverRegisters, kRegisterDoubles> Batch;
// One matrix at a time (the streaming monitor): plain scalar code.
typedef LaneEigen<1, 1> Single;
constexpr int kLanes = Batch::L;
constexpr int kMaxSweepsPerEigenvalue = 30;  // LAPACK's MAXIT

static int64_t bandDotsWorkspaceDoubles(int fresh, int window) {
  return bandDotsWorkspace(fresh, window) * kRegisterDoubles;
}

static void bandDotsEntry(const double* const* rows, int total, int fresh, int window, int64_t n, double* out,
                          double* work) {
  bandDots(rows, total, fresh, window, n, out, reinterpret_cast<NativeV*>(work));
}

template <class S>
static int64_t solverWorkspace(int N, int k) {
  return static_cast<int64_t>(S::L) * (7 * N + (k > 0 ? N * N + (k + 1) * N : 0));
}

template <class S>
static void deflateWith(int order, int64_t ld, const double* h1, double beta1, const double* h2, double beta2,
                        double* a, double* work) {
  typedef typename S::V V;
  V* A = reinterpret_cast<V*>(a);
  V* p = reinterpret_cast<V*>(work);
  S::reflect(order, ld, h1, beta1, A, p);
  if (h2) S::reflect(order - 1, ld, h2, beta2, A + ld + 1, p);
}

// Returns the failed-lane mask as bits.
template <class S>
static unsigned solveWith(int N, int64_t ld, int k, double* a, double* work, double* values, double* vectors) {
  typedef typename S::V V;
  constexpr int L = S::L;
  V* A = reinterpret_cast<V*>(a);
  V* d = reinterpret_cast<V*>(work);
  V* e = d + N;
  V* tau = e + N;
  V* p = tau + N;  // 4 N: the tridiagonalisation's workspace, then copies for the vectors
  // Each matrix scaled by a power of two to a largest entry near 1 (LAPACK scales too): the
  // iterations work with squares and products of entries, which must neither underflow nor
  // overflow whatever the data's scale. Exact, and undone on the eigenvalues.
  V amax = splat<V>(0.0);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j <= i; ++j) {
      const V x = vabs(A[i * ld + j]);
      amax = select(x > amax, x, amax);
    }
  V up, down;
  for (int l = 0; l < L; ++l) {
    int ex = 0;
    const double m = amax[l];
    if (m > 0 && m <= 0x1.fffffffffffffp+1023) __builtin_frexp(m, &ex);
    reinterpret_cast<double*>(&up)[l] = __builtin_ldexp(1.0, ex);
    reinterpret_cast<double*>(&down)[l] = __builtin_ldexp(1.0, -ex);
  }
  for (int i = 0; i < N; ++i)
    for (int j = 0; j <= i; ++j) A[i * ld + j] *= down;
  S::tridiagonalize(N, ld, A, d, e, tau, p);
  const int maxSweeps = kMaxSweepsPerEigenvalue * N;
  V* z = p + 4 * N;
  V* u = z + N * N;
  if (k > 0) {
    // The vectors come from the QL iteration with rotations, on a copy: the eigenvalues
    // reported are the root-free iteration's whether or not vectors are asked for.
    __builtin_memcpy(p, d, sizeof(V) * N);
    __builtin_memcpy(u, e, sizeof(V) * N);
  }
  typename S::M fail = S::eigenvalues(N, d, e, maxSweeps);
  for (int i = 0; i < N; ++i) reinterpret_cast<V*>(values)[i] = d[i] * up;
  if (k > 0) {
    fail |= S::eigenvectors(N, p, u, z, maxSweeps);
    __builtin_memcpy(d, p, sizeof(V) * N);  // the order the columns of z belong to
  }
  unsigned bits = 0;
  for (int l = 0; l < L; ++l)
    if (fail[l]) bits |= 1u << l;
  if (k == 0) return bits;
  // Per lane, the columns of z that belong to the k largest eigenvalues, largest first.
  double* ud = reinterpret_cast<double*>(u);
  const double* zd = reinterpret_cast<const double*>(z);
  const double* order = reinterpret_cast<const double*>(d);
  for (int l = 0; l < L; ++l) {
    int previous = -1;
    for (int j = 0; j < k; ++j) {
      // The next in the order (value descending, index ascending) after `previous`.
      int best = -1;
      for (int i = 0; i < N; ++i) {
        const double x = order[i * L + l];
        if (previous >= 0) {
          const double pv = order[previous * L + l];
          if (x > pv || (x == pv && i <= previous)) continue;
        }
        if (best < 0 || x > order[best * L + l]) best = i;
      }
      previous = best;
      for (int r = 0; r < N; ++r) ud[(j * N + r) * L + l] = zd[(r * N + best) * L + l];
    }
  }
  S::backTransform(N, ld, A, tau, u, k);
  __builtin_memcpy(vectors, u, sizeof(V) * N * k);
  return bits;
}

static void solveBatch(int N, int64_t ld, int k, double* a, double* work, double* values, double* vectors,
                       uint8_t* failed) {
  const unsigned bits = solveWith<Batch>(N, ld, k, a, work, values, vectors);
  for (int l = 0; l < kLanes; ++l) failed[l] = (bits >> l) & 1u;
}

static bool solveOne(int N, int64_t ld, int k, double* a, double* work, double* values, double* vectors) {
  return solveWith<Single>(N, ld, k, a, work, values, vectors) == 0;
}

static const KernelTable table = {
    RDM2_ISA_ENUM,
    kLanes,
    bandDotsWorkspaceDoubles,
    bandDotsEntry,
    dotsFromRaw,
    deviation,
    deviationFrom,
    convertRow,
    firstNonFinite,
    combineRows,
    solverWorkspace<Batch>,
    solverWorkspace<Single>,
    deflateWith<Batch>,
    deflateWith<Single>,
    solveBatch,
    solveOne,
};

}  // namespace RDM2_ISA_NAMESPACE

const KernelTable& RDM2_ISA_TABLE() {
  return RDM2_ISA_NAMESPACE::table;
}

}  // namespace rdm2
