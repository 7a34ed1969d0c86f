"""Build the Cython kernels in csrc/ into the package neuroclust._kernels.

One extension per algorithm: csrc/distances.pyx becomes ``neuroclust._kernels.distances``, and
so on for competitive, som, gng, art and mmj; they share the inline helpers of csrc/_common.pxd.
The distance kernels' chunk size is read from neuroclust/backend/_chunks.py (the one source the
NumPy reference uses too) and compiled in as the macro ``NEUROCLUST_CHUNK_ROWS``.

OpenMP is used when the compiler accepts ``-fopenmp``; otherwise the kernels are built
serial (``prange`` then runs as a plain loop) and still give the same results.

``NEUROCLUST_BOUNDSCHECK=1`` builds a checking copy for tests: every memoryview access is
bounds-checked (an index out of range raises IndexError instead of touching memory), and the
extensions say so in ``neuroclust._kernels.BOUNDSCHECK``. It is slower; CI runs the kernel
tests once against it.
"""
import ast
import glob
import os
import shutil
import subprocess
import sys
import tempfile

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup


def compiler_supports_openmp():
    """Try to compile and link a tiny OpenMP program with the default C compiler."""
    if sys.platform == "win32":
        return False
    compiler = os.environ.get("CC", "cc")
    workdir = tempfile.mkdtemp()
    try:
        source = os.path.join(workdir, "omp_probe.c")
        with open(source, "w") as handle:
            handle.write("#include <omp.h>\nint main(void){return omp_get_max_threads() < 1;}\n")
        result = subprocess.run(
            [compiler, "-fopenmp", source, "-o", os.path.join(workdir, "omp_probe")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        return result.returncode == 0
    except OSError:
        return False
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def compiler_accepts(flag):
    """Whether the default C compiler accepts ``flag`` (e.g. -fopenmp-simd)."""
    if sys.platform == "win32":
        return False
    workdir = tempfile.mkdtemp()
    try:
        source = os.path.join(workdir, "probe.c")
        with open(source, "w") as handle:
            handle.write("int main(void){return 0;}\n")
        result = subprocess.run([os.environ.get("CC", "cc"), flag, "-c", source, "-o",
                                 os.path.join(workdir, "probe.o")],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return result.returncode == 0
    except OSError:
        return False
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


openmp = compiler_supports_openmp() and os.environ.get("NEUROCLUST_NO_OPENMP") != "1"
compile_args = ["-O3"] + (["-fopenmp"] if openmp else [])
if compiler_accepts("-fopenmp-simd"):  # vectorised reductions in csrc/simd.h
    compile_args.append("-fopenmp-simd")
link_args = ["-fopenmp"] if openmp else []
boundscheck = os.environ.get("NEUROCLUST_BOUNDSCHECK") == "1"

KERNELS = ("distances", "competitive", "som", "gng", "art", "mmj", "density", "optim")
# Adam's square root never sees a negative number: without errno to set, the loop vectorises
EXTRA_COMPILE_ARGS = {"optim": ["-fno-math-errno"] if compiler_accepts("-fno-math-errno") else []}


def chunk_rows():
    """``COMPILED_CHUNK_ROWS`` of neuroclust/backend/_chunks.py, read without importing it."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "neuroclust", "backend",
                        "_chunks.py")
    with open(path, encoding="utf-8") as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and getattr(node.targets[0], "id", None) == "COMPILED_CHUNK_ROWS"):
            return int(ast.literal_eval(node.value))
    raise RuntimeError(f"{path} assigns no COMPILED_CHUNK_ROWS.")


macros = [("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION"),
          ("NEUROCLUST_CHUNK_ROWS", str(chunk_rows()))]
if boundscheck:
    macros.append(("NEUROCLUST_BOUNDSCHECK", "1"))

extensions = [
    Extension(
        f"neuroclust._kernels.{name}",
        sources=[f"csrc/{name}.pyx"],
        # rebuild when a header or the shared helpers change
        depends=sorted(glob.glob("csrc/*.h") + glob.glob("csrc/*.pxd")),
        include_dirs=[numpy.get_include(), "csrc"],
        define_macros=macros,
        extra_compile_args=compile_args + EXTRA_COMPILE_ARGS.get(name, []),
        extra_link_args=link_args,
    )
    for name in KERNELS
]

setup(
    ext_modules=cythonize(
        extensions,
        language_level=3,
        include_path=["csrc"],
        compiler_directives={"boundscheck": boundscheck, "wraparound": False,
                             "cdivision": True, "initializedcheck": boundscheck},
        # the checking build's C goes elsewhere, so neither build ever reuses the other's
        build_dir="build/boundscheck" if boundscheck else None,
    )
)
