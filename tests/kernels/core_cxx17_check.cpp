// Compiles every kernels/core header as C++17 with the host compiler: nvcc builds them as C++17, so a C++20
// construct there breaks the CUDA build, and this catches it on a machine without the toolkit.
#if __cplusplus != 201703L
#error "kernels/core's compile check must be built as C++17 (tests/CMakeLists.txt sets CXX_STANDARD 17)"
#endif

#include "kernels/core/bit_cast.hpp"
#include "kernels/core/kv_append_check.hpp"
#include "kernels/core/kv_append_indexing.hpp"
#include "kernels/core/kv_append_params.hpp"
#include "kernels/core/dtype_conversion.hpp"
#include "kernels/core/element_traits.hpp"
#include "kernels/core/element_type.hpp"
#include "kernels/core/host_device.hpp"
#include "kernels/core/pair_rotation.hpp"
#include "kernels/core/position_plan.hpp"
#include "kernels/core/position_segment.hpp"
#include "kernels/core/params_check.hpp"
#include "kernels/core/rotary_params.hpp"
#include "kernels/core/sincospi.hpp"
#include "kernels/core/token_angles.hpp"
#include "kernels/core/token_indexing.hpp"
#include "kernels/core/turn_phase.hpp"
