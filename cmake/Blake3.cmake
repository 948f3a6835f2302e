# BLAKE3, the reference C implementation (CC0 / Apache-2.0), built from the copy Debian ships
# in librust-blake3-dev (/usr/share/cargo/registry/blake3-*/c): Debian has no C library
# package for it. Defines the static library `blake3`, position-independent, with the
# SSE2/SSE4.1/AVX2/AVX-512 assembly on x86-64 (picked at run time) and the portable code
# elsewhere. Set BLAKE3_C_DIR to use another copy of the same sources.

if(NOT BLAKE3_C_DIR)
  file(GLOB _blake3_dirs LIST_DIRECTORIES true "/usr/share/cargo/registry/blake3-*/c")
  set(_blake3_dir "")
  if(_blake3_dirs)
    list(SORT _blake3_dirs COMPARE NATURAL ORDER DESCENDING)
    list(GET _blake3_dirs 0 _blake3_dir)
  endif()
  set(BLAKE3_C_DIR "${_blake3_dir}" CACHE PATH "The BLAKE3 C sources (blake3.h, blake3.c, ...)")
endif()
if(NOT EXISTS "${BLAKE3_C_DIR}/blake3.h" OR NOT EXISTS "${BLAKE3_C_DIR}/blake3_dispatch.c")
  message(FATAL_ERROR "BLAKE3's C sources were not found: install librust-blake3-dev "
                      "(scripts/bootstrap does) or set BLAKE3_C_DIR")
endif()

set(_blake3_sources
  ${BLAKE3_C_DIR}/blake3.c
  ${BLAKE3_C_DIR}/blake3_dispatch.c
  ${BLAKE3_C_DIR}/blake3_portable.c)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  enable_language(ASM)
  list(APPEND _blake3_sources
    ${BLAKE3_C_DIR}/blake3_sse2_x86-64_unix.S
    ${BLAKE3_C_DIR}/blake3_sse41_x86-64_unix.S
    ${BLAKE3_C_DIR}/blake3_avx2_x86-64_unix.S
    ${BLAKE3_C_DIR}/blake3_avx512_x86-64_unix.S)
  set(_blake3_defs "")
else()
  set(_blake3_defs BLAKE3_NO_SSE2 BLAKE3_NO_SSE41 BLAKE3_NO_AVX2 BLAKE3_NO_AVX512)
endif()

add_library(blake3 STATIC ${_blake3_sources})
target_include_directories(blake3 SYSTEM PUBLIC ${BLAKE3_C_DIR})
target_compile_definitions(blake3 PRIVATE ${_blake3_defs})
set_target_properties(blake3 PROPERTIES
  POSITION_INDEPENDENT_CODE ON
  C_VISIBILITY_PRESET hidden)
