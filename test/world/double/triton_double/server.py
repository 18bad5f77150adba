"""main(): options, the option table, startup loads, the HTTP/gRPC/metrics listeners, signals."""
import ctypes
import os
import signal
import socket
import sys
import threading
from http.server import ThreadingHTTPServer

from . import loader, repository
from .handlers import EXTENSIONS, Handler
from .options import ROOT, Options, UsageExit, parse_args
from .state import STATE, log


def table(headers, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    sep = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def fmt(r):
        return "| " + " | ".join(str(v).ljust(w) for v, w in zip(r, widths)) + " |"
    return "\n".join([sep, fmt(headers), sep] + [fmt(r) for r in rows] + [sep])


def serve(kind, address, port):
    try:
        server = ThreadingHTTPServer((address, port), Handler)
    except OSError as e:
        label = {"http": "HTTP", "metrics": "Metrics"}[kind]
        sys.stderr.write("error: creating server: Internal - failed to start %s service: Unavailable - Socket '%s:%d' already in use (%s)\n" % (label, address, port, e.strerror))
        os._exit(1)
    server.daemon_threads = True
    server.kind = kind
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def option_rows(opts):
    return [["server_id", "triton"], ["server_version", STATE.version], ["server_extensions", " ".join(EXTENSIONS)],
            *[["model_repository_path[%d]" % i, r] for i, r in enumerate(opts.repos)],
            ["model_control_mode", "MODE_" + opts.mode.upper()], ["strict_model_config", "0"], ["rate_limit", "OFF"],
            ["pinned_memory_pool_byte_size", opts.pinned],
            *[["cuda_memory_pool_byte_size{%s}" % s.split(":")[0], s.split(":")[1]] for s in opts.cuda_pool],
            ["min_supported_compute_capability", "6.0"], ["strict_readiness", str(int(opts.strict_readiness))],
            ["exit_timeout", "30"], ["cache_enabled", "0"]]


def startup_models(opts):
    """The models to load at start, or None when a named one is missing and exit-on-error holds."""
    if opts.mode != "explicit":
        return list(STATE.models)
    wanted = list(STATE.models) if "*" in opts.load else opts.load
    for name in wanted:
        if name not in STATE.models:
            log("E", "model_repository_manager.cc:1379", "Poll failed for model directory '%s': failed to open text file for read %s/%s/config.pbtxt: No such file or directory" % (name, opts.repos[0], name))
            if opts.exit_on_error:
                return None
    return [n for n in wanted if n in STATE.models]


def bind_grpc(opts):
    grpc = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    grpc.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        grpc.bind((opts.grpc_address, opts.grpc_port))
    except OSError:
        sys.stderr.write("error: creating server: Internal - failed to start GRPC service: Unavailable - Socket '%s:%d' already in use\n" % (opts.grpc_address, opts.grpc_port))
        return None
    grpc.listen(16)  # a listener only; the double speaks no gRPC
    log("I", "grpc_server.cc:2466", "Started GRPCInferenceService at %s:%d" % (opts.grpc_address, opts.grpc_port))
    return grpc


def load_core():
    """tritonserver needs libtritonserver.so (DT_NEEDED): when the image lost a library of its
    closure, the dynamic loader stops the process before main, as it would the real binary."""
    lib = os.path.join(os.path.dirname(os.path.dirname(os.path.realpath(sys.argv[0]))), "lib", "libtritonserver.so")
    if not os.path.isfile(lib) or not loader.is_elf(lib):
        return None
    try:
        ctypes.CDLL(lib, mode=ctypes.RTLD_GLOBAL)
    except OSError as e:
        detail = str(e).split(": ", 1)[-1] if str(e).startswith(lib) else str(e)
        sys.stderr.write("tritonserver: error while loading shared libraries: %s\n" % detail)
        return 127
    return None


def main(argv):
    failed = load_core()
    if failed is not None:
        return failed
    try:
        opts = Options(parse_args(argv))
    except UsageExit as e:
        return e.code
    STATE.opts, STATE.argv = opts, ["tritonserver"] + argv
    if opts.log_file:
        STATE.log_stream = open(opts.log_file, "a")
    version_file = os.path.join(ROOT, "TRITON_VERSION")
    STATE.version = open(version_file).read().strip() if os.path.exists(version_file) else os.environ.get("TRITON_SERVER_VERSION", "0.0.0")
    if not opts.repos:
        sys.stderr.write("error: creating server: Invalid argument - --model-repository must be specified\n")
        return 1
    for repo in opts.repos:
        if not os.path.isdir(repo):
            sys.stderr.write("error: creating server: Internal - failed to stat file %s\n" % repo)
            return 1
    log("I", "server.cc:674", "\n" + table(["Option", "Value"], option_rows(opts)))
    repository.scan()
    wanted = startup_models(opts)
    if wanted is None:
        sys.stderr.write("error: creating server: Internal - failed to load all models\n")
        return 1
    repository.load(wanted)
    rows = [[n, str(m.version or 1), m.state if m.state == "READY" else "UNAVAILABLE: " + m.reason] for n, m in sorted(STATE.models.items()) if m.state]
    log("I", "model_lifecycle.cc:473", "\n" + table(["Model", "Version", "Status"], rows))
    if opts.exit_on_error and any(m.state == "UNAVAILABLE" for m in STATE.models.values()):
        log("I", "server.cc:307", "Waiting for in-flight requests to complete.")
        sys.stderr.write("error: creating server: Internal - failed to load all models\n")
        return 1
    if opts.allow_grpc and bind_grpc(opts) is None:
        return 1
    if opts.allow_http:
        serve("http", opts.http_address, opts.http_port)
        log("I", "http_server.cc:4636", "Started HTTPService at %s:%d" % (opts.http_address, opts.http_port))
    if opts.allow_metrics:
        serve("metrics", opts.metrics_address, opts.metrics_port)
        log("I", "http_server.cc:320", "Started Metrics Service at %s:%d" % (opts.metrics_address, opts.metrics_port))
    stop = threading.Event()

    def on_signal(signum, _frame):
        log("I", "main.cc:315", "Signal (%d) received." % signum)
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    while not stop.wait(1):
        pass
    log("I", "server.cc:307", "Waiting for in-flight requests to complete.")
    log("I", "server.cc:338", "All models are stopped, unloading models")
    return 0
