// Eigen's kernels compiled for avx512 (CMakeLists.txt sets this file's -march).
#define RDM2_PROBE_NAMESPACE eigen_avx512
#define RDM2_PROBE_EIGEN rdm2_eigen_avx512
#define RDM2_PROBE_TABLE avx512EigenProbes
#include "eigen_probes_isa.hpp"
