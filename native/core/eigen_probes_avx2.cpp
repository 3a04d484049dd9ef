// Eigen's kernels compiled for avx2 (CMakeLists.txt sets this file's -march).
#define RDM2_PROBE_NAMESPACE eigen_avx2
#define RDM2_PROBE_EIGEN rdm2_eigen_avx2
#define RDM2_PROBE_TABLE avx2EigenProbes
#include "eigen_probes_isa.hpp"
