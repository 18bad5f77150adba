#!/usr/bin/env python3
"""tslim test-world double of `tritonserver`: the entry point; the code is the triton_double package
beside this file (docs/test-world.md, "The Triton protocol double"). Test-only, never shipped."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.realpath(__file__)))
sys.dont_write_bytecode = True

from triton_double.server import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
