import os
import shutil
import subprocess
import tempfile
import unittest

from triton_double import loader

# A backend library that really links and dlopens, as the ELF-real world's fixtures do.
BACKEND_C = r'''
#include <dlfcn.h>
#include <stddef.h>
const char *TRITONBACKEND_Initialize(void *backend) {
  (void)backend;
  void *h = dlopen("libprovider_dlopen_only.so.1", RTLD_NOW | RTLD_GLOBAL);
  return h ? NULL : dlerror();
}
'''


@unittest.skipUnless(shutil.which("gcc"), "needs gcc")
class ElfLoaderTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = os.path.join(self.tmp.name, "backends", "demo")
        os.makedirs(self.dir)
        src = os.path.join(self.tmp.name, "b.c")
        with open(src, "w") as f:
            f.write(BACKEND_C)
        subprocess.run(["gcc", "-shared", "-fPIC", "-o", os.path.join(self.dir, "libtriton_demo.so"), src, "-ldl"], check=True)

    def tearDown(self):
        loader._LOADED.clear()
        self.tmp.cleanup()

    def test_a_missing_dlopen_library_fails_with_the_loaders_error(self):
        with self.assertRaisesRegex(loader.ModelError, "failed to initialize backend 'demo': libprovider_dlopen_only.so.1: cannot open shared object file"):
            loader.open_backend(os.path.join(self.tmp.name, "backends"), "demo")

    def test_a_missing_needed_library_fails_at_dlopen(self):
        lib = os.path.join(self.tmp.name, "backends", "needy")
        os.makedirs(lib)
        src = os.path.join(self.tmp.name, "n.c")
        dep = os.path.join(self.tmp.name, "libgone.so.3")
        with open(src, "w") as f:
            f.write("int gone(void); int use(void) { return gone(); }\n")
        with open(self.tmp.name + "/g.c", "w") as f:
            f.write("int gone(void) { return 1; }\n")
        subprocess.run(["gcc", "-shared", "-fPIC", "-Wl,-soname,libgone.so.3", "-o", dep, self.tmp.name + "/g.c"], check=True)
        subprocess.run(["gcc", "-shared", "-fPIC", "-o", os.path.join(lib, "libtriton_needy.so"), src, dep], check=True)
        os.remove(dep)
        with self.assertRaisesRegex(loader.ModelError, "unable to load backend library: libgone.so.3: cannot open shared object file"):
            loader.open_backend(os.path.join(self.tmp.name, "backends"), "needy")


if __name__ == "__main__":
    unittest.main()
