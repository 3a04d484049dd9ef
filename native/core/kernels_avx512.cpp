// The kernels compiled for avx512 (CMakeLists.txt sets this file's -march).
#define RDM2_ISA_NAMESPACE avx512
#define RDM2_ISA_TABLE avx512Kernels
#define RDM2_ISA_ENUM Isa::Avx512
#include "kernels_isa.hpp"
