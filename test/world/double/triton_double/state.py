"""The server's shared state and its Triton-style log lines."""
import sys
import threading
from datetime import datetime
import os

MIB = 1024 * 1024


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.models = {}
        self.opts = None
        self.argv = []
        self.version = "0.0.0"
        self.log_stream = sys.stderr
        self.stats = {}  # model name -> statistics.ModelStats, afresh at each load
        self.ever_loaded = {}  # model name -> version: Triton keeps their failure counters after an unload
        self.byte_counters = {}  # identity backend's custom metric: model name -> input bytes
        self.gpu_used = 0
        self.requests = 0


STATE = State()


def log(level, where, message):
    now = datetime.now()
    STATE.log_stream.write("%s%s %d %s] %s\n" % (level, now.strftime("%m%d %H:%M:%S.%f"), os.getpid(), where, message))
    STATE.log_stream.flush()
