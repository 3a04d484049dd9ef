// The kernels compiled for avx2 (CMakeLists.txt sets this file's -march).
#define RDM2_ISA_NAMESPACE avx2
#define RDM2_ISA_TABLE avx2Kernels
#define RDM2_ISA_ENUM Isa::Avx2
#include "kernels_isa.hpp"
