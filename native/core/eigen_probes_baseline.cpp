// Eigen's kernels compiled for baseline (CMakeLists.txt sets this file's -march).
#define RDM2_PROBE_NAMESPACE eigen_baseline
#define RDM2_PROBE_EIGEN rdm2_eigen_baseline
#define RDM2_PROBE_TABLE baselineEigenProbes
#include "eigen_probes_isa.hpp"
