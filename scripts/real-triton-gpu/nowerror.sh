#!/usr/bin/env bash
# CMAKE_CXX_COMPILER_LAUNCHER: runs the compiler without -Werror. Triton r24.09 sets -Werror on its
# targets; GCC 13 and CUDA 13 (the GPU machine's) warn where GCC 12 and CUDA 12 did not (deprecations).
# The warnings stay in the build log.
a=()
for x in "$@"; do [[ $x == -Werror ]] || a+=("$x"); done
exec "${a[@]}"
