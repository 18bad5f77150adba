"""tslim test-world double of NVIDIA Triton's `tritonserver` (stdlib only; not NVIDIA code).

Speaks enough of Triton's command line, logs and KServe v2 HTTP protocol for tslim's verify step.
Contract: docs/test-world.md ("The Triton protocol double"). Test-only: never shipped.
Modules: options (command line), pbtxt (config.pbtxt), repository (models, configs, metadata),
loader (backend libraries, python stub, GPUs, shm), tensors (datatypes, binary extension), statistics,
compute (inference semantics), handlers (KServe v2 over HTTP), metrics, server (main).
"""
