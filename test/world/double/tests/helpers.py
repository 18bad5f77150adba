import os
import tempfile

from triton_double.options import Options
from triton_double.repository import Model, scan
from triton_double.state import STATE


class Repo:
    """A temp root with backends and a model repository, installed as the double's state."""

    def __init__(self, backends=("identity",)):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name
        self.repo = os.path.join(self.root, "models")
        os.makedirs(self.repo)
        for b in backends:
            self.library(b, b"v1")
        STATE.opts = Options([("model-repository", self.repo), ("backend-directory", os.path.join(self.root, "backends"))])
        STATE.models = {}

    def library(self, backend, content):
        d = os.path.join(self.root, "backends", backend)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "libtriton_%s.so" % backend), "wb") as f:
            f.write(content)

    def model(self, name, config, files=None):
        d = os.path.join(self.repo, name, "1")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(self.repo, name, "config.pbtxt"), "w") as f:
            f.write(config)
        for fname, text in (files or {}).items():
            with open(os.path.join(d, fname), "w") as f:
                f.write(text)

    def loaded(self, *names):
        scan()
        from triton_double.repository import load
        load(list(names))
        return STATE.models

    def close(self):
        self.tmp.cleanup()


def tensor(datatype, shape, values):
    return {"datatype": datatype, "shape": shape, "values": values}


__all__ = ["Repo", "tensor", "Model"]
