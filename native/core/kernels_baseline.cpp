// The kernels compiled for baseline (CMakeLists.txt sets this file's -march).
#define RDM2_ISA_NAMESPACE baseline
#define RDM2_ISA_TABLE baselineKernels
#define RDM2_ISA_ENUM Isa::Baseline
#include "kernels_isa.hpp"
