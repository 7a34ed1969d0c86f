"""Memory checks shared by every entry point that allocates in proportion to its input.

A request that needs more memory than this process can get is refused before anything is
allocated, in one sentence that says how much it needs and what to do instead
(:func:`check_memory`); :func:`available_memory` reads what the machine, its container and
the address-space limit leave. :mod:`neuroclust._validation` re-exports these names.
"""
import math
import os

try:
    import resource         # POSIX only
except ImportError:
    resource = None

__all__ = ["InsufficientMemoryError", "check_memory", "available_memory", "format_bytes"]

class InsufficientMemoryError(MemoryError, ValueError):
    """A request needs more memory than is available; raised before anything is allocated.

    A ``MemoryError`` (what it is) and a ``ValueError`` (what a bad argument raises), so
    code that reports either reports it.
    """


#: Requests below this size are never checked: reading the limits would cost more.
_SMALL_REQUEST = 64 << 20


def check_memory(n_bytes, request, what, advice):
    """Refuse a request that needs more memory than this process can get.

    Parameters
    ----------
    n_bytes : int
        The estimated peak, in bytes (a Python int: it may exceed any fixed-size integer).
    request : str
        The request, e.g. ``"SOM(shape=(5000, 5000))"``.
    what : str
        What the memory is for, e.g. ``"its grid distances (25,000,000 x 25,000,000
        float64)"``.
    advice : str
        What to do instead, e.g. ``"use a smaller map"``.

    Raises
    ------
    InsufficientMemoryError
        When ``n_bytes`` exceeds :func:`available_memory`, in one sentence: "SOM(shape=(5000,
        5000)) needs about 27 PiB for its grid distances (...), more than the 20 GiB this
        machine has free; use a smaller map."
    """
    if n_bytes < _SMALL_REQUEST:
        return
    available = available_memory()
    if available is None or n_bytes <= available[0]:
        return
    raise InsufficientMemoryError(
        f"{request} needs about {format_bytes(n_bytes)} for {what}, more than the "
        f"{format_bytes(available[0])} {available[1]}; {advice}.")


def available_memory():
    """The memory this process can still allocate, as (bytes, a phrase saying whose), or
    None when nothing can be read.

    The smallest of: the machine's available memory (``MemAvailable`` of /proc/meminfo,
    else the physical memory), what a cgroup (container) memory limit leaves, and what
    the address-space limit (``ulimit -v``) leaves beside the process's current size.
    """
    found = [bound for bound in (_machine_memory(), _cgroup_memory(), _address_space_left())
             if bound is not None]
    return min(found, key=lambda bound: bound[0]) if found else None


def _machine_memory():
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024, "this machine has free"
    except (OSError, ValueError, IndexError):
        pass
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None
    return (total, "this machine has") if total > 0 else None


def _cgroup_memory():
    try:
        with open("/sys/fs/cgroup/memory.max") as limit, \
                open("/sys/fs/cgroup/memory.current") as used:
            text = limit.read().strip()
            if text == "max":
                return None
            return max(int(text) - int(used.read()), 0), "left under this container's limit"
    except (OSError, ValueError):
        return None


def _address_space_left():
    if resource is None:
        return None
    try:
        limit = resource.getrlimit(resource.RLIMIT_AS)[0]
        if limit == resource.RLIM_INFINITY:
            return None
        with open("/proc/self/status") as status:
            size = next(int(line.split()[1]) * 1024 for line in status
                        if line.startswith("VmSize:"))
    except (OSError, ValueError, StopIteration):
        return None
    return max(limit - size, 0), "this process may still allocate (its address-space limit)"


def format_bytes(n_bytes):
    """A size in binary units, e.g. ``format_bytes(3 * 2**30) == "3 GiB"``."""
    units = ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB")
    power = 0
    while n_bytes >= 1024 ** (power + 1) and power < len(units) - 1:
        power += 1
    if n_bytes >= 10 ** 6 * 1024 ** 8:      # a million YiB and more: as a power of ten
        return f"10^{int(math.log10(n_bytes))} bytes"
    if power == 0:
        return f"{int(n_bytes)} bytes"
    value = n_bytes / 1024 ** power
    text = f"{value:.1f}".removesuffix(".0") if value < 10 else f"{round(value)}"
    return f"{text} {units[power]}"

