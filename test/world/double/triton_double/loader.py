"""What decides whether a model's backend loads: its library (really dlopen-ed when it is an ELF
object, so a missing dependency fails with the loader's own error, as in Triton), the python stub
and /dev/shm, and the GPUs an instance group names."""
import ctypes
import hashlib
import os
import re
import shutil

from .state import MIB

PY_SHM_PER_INSTANCE = 65 * MIB
_LOADED = {}
_FINGERPRINTS = {}


class ModelError(Exception):
    pass


def gpu_count():
    fake = os.environ.get("TRITON_DOUBLE_FAKE_GPUS")
    if fake:
        return int(fake)
    return len([d for d in os.listdir("/dev") if re.fullmatch(r"nvidia\d+", d)]) if os.path.isdir("/dev") else 0


def shm_bytes():
    if os.environ.get("TRITON_DOUBLE_SHM_BYTES"):  # tests on a host with a big /dev/shm
        return int(os.environ["TRITON_DOUBLE_SHM_BYTES"])
    try:
        st = os.statvfs("/dev/shm")
        return st.f_blocks * st.f_frsize
    except OSError:
        return 0


def library_path(backend_dir, backend):
    return os.path.join(backend_dir, backend, "libtriton_%s.so" % backend)


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def open_backend(backend_dir, backend):
    """Loads the backend library as Triton does (dlopen, then TRITONBACKEND_Initialize); errors as Triton words them."""
    lib = library_path(backend_dir, backend)
    if not os.path.isfile(lib):
        raise ModelError("Invalid argument: unable to find backend library for backend '%s', try specifying runtime on the model configuration." % backend)
    if lib in _LOADED or not is_elf(lib):
        return lib
    try:
        handle = ctypes.CDLL(lib, mode=ctypes.RTLD_GLOBAL)
    except OSError as e:
        raise ModelError("unable to load backend library: %s" % e)
    init = getattr(handle, "TRITONBACKEND_Initialize", None)
    if init is not None:
        init.restype = ctypes.c_char_p
        init.argtypes = [ctypes.c_void_p]
        failure = init(None)  # the fixture backends return NULL or dlerror()'s text
        if failure:
            raise ModelError("failed to initialize backend '%s': %s" % (backend, failure.decode("utf-8", "replace")))
    _LOADED[lib] = handle
    return lib


def fingerprint(path):
    """A number in [0.5, 1.5) from the library's bytes: two builds of a backend answer differently."""
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns)
    if key not in _FINGERPRINTS:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        _FINGERPRINTS[key] = 0.5 + int(h.hexdigest()[:12], 16) / float(16 ** 12)
    return _FINGERPRINTS[key]


def check_gpus(model, groups):
    gpus = gpu_count()
    for i, g in enumerate(groups):
        if (g.get("kind") or [None])[0] == "KIND_GPU":
            for gid in g.get("gpus", [0]):
                if gid >= gpus:
                    raise ModelError("Invalid argument: instance group %s_%d of model %s specifies invalid or unsupported gpu id %d. "
                                     "GPUs with at least the minimum required CUDA compute compatibility of 6.0 are: %s"
                                     % (model, i, model, gid, "no GPUs are available" if gpus == 0 else " ".join(map(str, range(gpus)))))


def check_python(backend_dir, instances, used_instances):
    stub = os.path.join(backend_dir, "python", "triton_python_backend_stub")
    if not os.path.isfile(stub):
        raise ModelError("Internal: unable to find the python backend stub at %s" % stub)
    if not shutil.which("python3"):
        raise ModelError("Internal: Failed to start the stub process: python3 not found")
    need = (used_instances + instances) * PY_SHM_PER_INSTANCE
    if need > shm_bytes():
        raise ModelError("Internal: Failed to increase the shared memory pool size for key 'triton_python_backend_shm_region_%d' to %d bytes. "
                         "If you are running Triton inside docker, use '--shm-size' flag to control the shared memory region size. "
                         "Each Python backend model instance requires at least 65 MB of shared memory. Error: No space left on device"
                         % (used_instances + 1, need))
