#!/usr/bin/env python3
"""OpenColorIO's CPU processor on the workloads of `lookwire bench`, measured the same way.

Frames and LUTs come from the same seeded SplitMix64 stream as lookwire's
(color/src/kernel/workload.rs), so both tools render identical pixels: 3840x2160,
uniform [0, 1] floats (full code range for integers), random LUT nodes, best of 5.
OCIO uses its default optimisation (as `getDefaultCPUProcessor` does).

    python3 bench/ocio_bench.py                 # OCIO figures, JSON lines
    python3 bench/ocio_bench.py --lookwire target/release/lookwire
        # runs `lookwire bench --json` right after, prints ratios per workload
    python3 bench/ocio_bench.py --cpu-time --lookwire target/release/lookwire
        # single-threaded figures by thread CPU time, on a machine shared with other work
    python3 bench/ocio_bench.py --ocio-avx2 --lookwire target/release/lookwire
        # on an AVX-512 machine, OCIO measured a second time with AVX-512 hidden from it
        # (bench/cpuid_no_avx512.c through CPUID faulting; where the machine has none, a
        # patched copy of OpenColorIO), so lookwire's AVX2 level is compared with OCIO's AVX2
        # path as an AVX2-only machine would run it
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import PyOpenColorIO as ocio

WIDTH, HEIGHT, RUNS = 3840, 2160, 5
FRAME_SEED, LUT_SEED = 1, 2
BENCH_CDL = dict(slope=[1.1, 0.95, 1.05], offset=[0.01, -0.02, 0.0], power=[1.2, 0.9, 1.1], sat=1.15)
M64 = np.uint64(0xFFFFFFFFFFFFFFFF)


def splitmix64(seed, n):
    """The first n outputs of SplitMix64(seed), as lookwire's SplitMix64::next_u64."""
    with np.errstate(over="ignore"):
        state = np.uint64(seed) + np.arange(1, n + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
        z = state
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def unit(seed, n):
    return ((splitmix64(seed, n) >> np.uint64(40)).astype(np.float64) / float((1 << 24) - 1)).astype(np.float32)


def codes(seed, n, bits):
    return (splitmix64(seed, n) >> np.uint64(64 - bits))


def write_cube(path, size):
    nodes = unit(LUT_SEED, size ** 3 * 3).reshape(-1, 3)  # red fastest, as lookwire stores it
    with open(path, "w") as f:
        f.write(f"LUT_3D_SIZE {size}\n")
        np.savetxt(f, nodes, fmt="%.9g")


WORKLOADS = {
    # id: (lut size, cdl?, numpy dtype, OCIO bit depth, channels, bits)
    "tetra33-f32": (33, False, np.float32, ocio.BIT_DEPTH_F32, 3, None),
    "tetra65-f32": (65, False, np.float32, ocio.BIT_DEPTH_F32, 3, None),
    "cdl-tetra33-f32": (33, True, np.float32, ocio.BIT_DEPTH_F32, 3, None),
    "tetra33-u16": (33, False, np.uint16, ocio.BIT_DEPTH_UINT16, 3, 16),
    "tetra33-u8-rgba": (33, False, np.uint8, ocio.BIT_DEPTH_UINT8, 4, 8),
}


def frame(dtype, channels, bits):
    n = WIDTH * HEIGHT * channels
    if bits is None:
        return unit(FRAME_SEED, n).reshape(HEIGHT, WIDTH, channels)
    return codes(FRAME_SEED, n, bits).astype(dtype).reshape(HEIGHT, WIDTH, channels)


def processor(cube, with_cdl, depth):
    lut = ocio.FileTransform(src=cube, interpolation=ocio.INTERP_TETRAHEDRAL)
    steps = [lut]
    if with_cdl:
        cdl = ocio.CDLTransform()
        cdl.setSlope(BENCH_CDL["slope"])
        cdl.setOffset(BENCH_CDL["offset"])
        cdl.setPower(BENCH_CDL["power"])
        cdl.setSat(BENCH_CDL["sat"])
        cdl.setStyle(ocio.CDL_NO_CLAMP)
        steps.insert(0, cdl)
    proc = ocio.Config.CreateRaw().getProcessor(ocio.GroupTransform(steps))
    return proc.getOptimizedCPUProcessor(depth, depth, ocio.OPTIMIZATION_DEFAULT)


CLOCK = time.perf_counter


def best_of(fn, clock=None):
    clock = clock or time.perf_counter
    best = float("inf")
    for _ in range(RUNS):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def descs(src, dst, channels, depth, bands):
    """(src, dst) PackedImageDesc pairs over `bands` horizontal bands."""
    rows = np.array_split(np.arange(HEIGHT), bands)
    out = []
    for r in rows:
        s, d = src[r[0]:r[-1] + 1], dst[r[0]:r[-1] + 1]
        item = src.itemsize
        strides = (item, item * channels, item * channels * WIDTH)
        out.append((ocio.PackedImageDesc(s, WIDTH, len(r), channels, depth, *strides),
                    ocio.PackedImageDesc(d, WIDTH, len(r), channels, depth, *strides)))
    return out


def measure(workload, threads, tmp):
    size, with_cdl, dtype, depth, channels, bits = WORKLOADS[workload]
    cube = os.path.join(tmp, f"random{size}.cube")
    if not os.path.exists(cube):
        write_cube(cube, size)
    cpu = processor(cube, with_cdl, depth)
    src = frame(dtype, channels, bits)
    dst = np.empty_like(src)
    pairs = descs(src, dst, channels, depth, threads)
    if threads == 1:
        seconds = best_of(lambda: cpu.apply(*pairs[0]), CLOCK)
    else:
        with ThreadPoolExecutor(threads) as pool:  # OCIO releases the GIL in apply
            seconds = best_of(lambda: list(pool.map(lambda p: cpu.apply(*p), pairs)))
    return WIDTH * HEIGHT / seconds / 1e6


def copy_bandwidth(workload, threads=1):
    """GB/s (read + write) of a plain numpy copy of the workload's frame, split in bands
    over `threads` threads (numpy releases the GIL while it copies), by the wall clock."""
    _, _, dtype, _, channels, bits = WORKLOADS[workload]
    src = frame(dtype, channels, bits)
    dst = np.empty_like(src)
    bands = list(zip(np.array_split(src, threads), np.array_split(dst, threads)))
    if threads == 1:
        seconds = best_of(lambda: np.copyto(dst, src))
    else:
        with ThreadPoolExecutor(threads) as pool:
            seconds = best_of(lambda: list(pool.map(lambda b: np.copyto(b[1], b[0]), bands)))
    return 2 * src.nbytes / seconds / 1e9


def traffic(workload, level):
    """Memory traffic of one rendered pixel, in bytes: the source read, the destination
    written and, unless the output is streamed, the destination read for ownership first.
    lookwire's SIMD levels stream the outputs of the bench workloads (8 MiB or more, out
    of place); its scalar level and OpenColorIO write through the cache."""
    _, _, dtype, _, channels, _ = WORKLOADS[workload]
    frame_bytes = np.dtype(dtype).itemsize * channels
    streamed = level in ("avx2", "avx512")
    return frame_bytes * (2 if streamed else 3)


def scaling_report(rows, threads, bandwidth):
    """Per workload and level: 1 thread, `threads` threads, their ratio, and the memory
    traffic of the multi-threaded figure as a share of the copy bandwidth."""
    by = {(r["workload"], r["level"], r["threads"]): r["mpx_per_s"] for r in rows}
    print(f"\n{threads}-thread scaling, wall clock (meaningful on a quiet machine only); copy "
          f"bandwidth {bandwidth[1]:.1f} GB/s on 1 thread, {bandwidth[threads]:.1f} GB/s on {threads}")
    print(f"{'workload':18} {'level':9} {'1T':>8} {f'{threads}T':>8} {'ratio':>6} {'GB/s':>6} {'of copy':>8}")
    for (workload, level, t), one in by.items():
        many = by.get((workload, level, threads))
        if t != 1 or many is None or threads == 1:
            continue
        gbs = many * traffic(workload, level) / 1000
        print(f"{workload:18} {level:9} {one:>8.1f} {many:>8.1f} {many / one:>6.2f} {gbs:>6.1f} "
              f"{gbs / bandwidth[threads]:>8.0%}")


def run_ocio(threads):
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for workload in WORKLOADS:
            for t in sorted({1, threads}):
                rows.append({"workload": workload, "level": "ocio", "threads": t,
                             "mpx_per_s": round(measure(workload, t, tmp), 2)})
                print(json.dumps(rows[-1]), flush=True)
    return rows


def cpuid_faulting_env(tmp):
    """The environment for a child that sees no AVX-512 through CPUID faulting
    (bench/cpuid_no_avx512.c, built with the system C compiler), or None where the CPU or
    the hypervisor offers no CPUID faulting (the library then exits 70)."""
    here = os.path.dirname(os.path.abspath(__file__))
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        print("# no C compiler to build bench/cpuid_no_avx512.c", file=sys.stderr)
        return None
    lib = os.path.join(tmp, "cpuid_no_avx512.so")
    subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", lib,
                    os.path.join(here, "cpuid_no_avx512.c")], check=True)
    env = dict(os.environ, LD_PRELOAD=lib)
    probe = subprocess.run([sys.executable, "-c", "pass"], env=env, capture_output=True)
    if probe.returncode == 70:
        return None
    if probe.returncode != 0:
        sys.exit(f"--ocio-avx2: the CPUID-faulting probe failed ({probe.returncode}): "
                 f"{probe.stderr.decode(errors='replace').strip()}")
    return env


def patched_ocio_env(tmp):
    """The environment for a child that imports a copy of PyOpenColorIO whose CPUInfo never
    reports AVX-512: the constructor's test of leaf 7's AVX-512 bits, `not ebx; and ebx,
    0xd0030000; jne no_avx512`, gets the mask 0xffffffff (which no real EBX passes). Used
    where CPUID faulting is not available (e.g. AMD guests). `ociocpuinfo` links its own
    CPUInfo, so it cannot confirm the patch; `perf record` of the child shows
    `applyTetrahedralAVX*` in place of `applyTetrahedralAVX512`."""
    pkg = os.path.dirname(os.path.abspath(ocio.__file__))
    copy = os.path.join(tmp, "PyOpenColorIO")
    shutil.copytree(pkg, copy)
    lib = os.path.join(copy, "libOpenColorIO.so")
    data = bytearray(open(lib, "rb").read())
    mask = bytes.fromhex("000003d0")  # 0xd0030000, little-endian
    at = data.find(mask)
    # `not r32` (F7 /2), then `and r32, imm32` (81 /4) with the mask, unique, then `jne rel32`.
    found = (at >= 4 and data.find(mask, at + 1) == -1 and data[at - 4] == 0xF7
             and (data[at - 3] >> 3) & 7 == 2 and data[at - 2] == 0x81 and (data[at - 1] >> 3) & 7 == 4
             and data[at + 4:at + 6] == b"\x0f\x85")
    if not found:
        sys.exit("--ocio-avx2: no CPUID faulting here, and this libOpenColorIO.so's CPUInfo "
                 "test of the AVX-512 bits was not found to patch")
    data[at:at + 4] = b"\xff\xff\xff\xff"
    open(lib, "wb").write(bytes(data))
    path = os.environ.get("PYTHONPATH")
    # The child checks that this copy is the library it runs (`check_patched_library`).
    return dict(os.environ, PYTHONPATH=tmp + (os.pathsep + path if path else ""),
                OCIO_BENCH_PATCHED_LIBRARY=lib)


def check_patched_library():
    """In a child on the patched copy: exits unless the libOpenColorIO mapped into this
    process is that copy (an LD_LIBRARY_PATH or a versioned name could load another, and
    its AVX-512 figures would be reported as OCIO-AVX2)."""
    want = os.environ.get("OCIO_BENCH_PATCHED_LIBRARY")
    if not want:
        return
    with open("/proc/self/maps") as maps:
        mapped = {line.split()[-1] for line in maps if "libOpenColorIO" in line}
    if mapped != {want}:
        sys.exit(f"--ocio-avx2: the child runs {sorted(mapped)}, not the patched {want}")


def run_ocio_without_avx512(args):
    """OCIO's figures from a child process that sees no AVX-512, labelled ocio-avx2: through
    CPUID faulting where the machine has it, else through a patched copy of OpenColorIO."""
    with tempfile.TemporaryDirectory() as tmp:
        env = cpuid_faulting_env(tmp)
        if env is None:
            print("# no CPUID faulting here: OCIO-AVX2 from a copy of OpenColorIO whose CPUInfo "
                  "reports no AVX-512", file=sys.stderr)
            env = patched_ocio_env(tmp)
        cmd = [sys.executable, os.path.abspath(__file__), "--threads", str(args.threads)]
        cmd += ["--cpu-time"] if args.cpu_time else []
        out = subprocess.run(cmd, check=True, env=env, capture_output=True, text=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    for row in rows:
        row["level"] = "ocio-avx2"
        print(json.dumps(row), flush=True)
    return rows


def same_level_ratio(row, ocio1, ocio_avx2):
    """lookwire's figure over OCIO's single-threaded one at the same SIMD level: AVX2 rows
    against OCIO with AVX-512 hidden (when measured), AVX-512 rows against OCIO native."""
    if row["level"] == "avx2" and ocio_avx2:
        return f"{row['mpx_per_s'] / ocio_avx2[row['workload']]:.2f}"
    if row["level"] == "avx512":
        return f"{row['mpx_per_s'] / ocio1[row['workload']]:.2f}"
    return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lookwire", help="path of the lookwire binary: run its bench right after and compare")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="threads for the all-cores figures")
    ap.add_argument("--cpu-time", action="store_true",
                    help="time single-threaded runs by the thread's CPU time (shared machines); "
                         "passes --cpu-time to lookwire too")
    ap.add_argument("--ocio-avx2", action="store_true",
                    help="also measure OCIO with AVX-512 hidden (Linux CPUID faulting, else a "
                         "patched copy of OpenColorIO), and compare lookwire's AVX2 level with it")
    args = ap.parse_args()
    check_patched_library()
    global CLOCK
    if args.cpu_time:
        CLOCK = time.thread_time
    print(f"# OpenColorIO {ocio.__version__}, {WIDTH}x{HEIGHT}, best of {RUNS}", file=sys.stderr)
    print(f"# load average {os.getloadavg()[0]:.1f} before OpenColorIO", file=sys.stderr)
    ours = run_ocio(args.threads)
    if args.ocio_avx2:
        ours += run_ocio_without_avx512(args)
    bandwidth = {t: copy_bandwidth("tetra33-f32", t) for t in sorted({1, args.threads})}
    for t, gbs in bandwidth.items():
        print(f"# copy bandwidth (tetra33-f32 frame, numpy, {t} thread(s)): {gbs:.1f} GB/s", file=sys.stderr)
    if not args.lookwire:
        return
    print(f"# load average {os.getloadavg()[0]:.1f} before lookwire", file=sys.stderr)
    cmd = [args.lookwire, "bench", "--json"] + (["--cpu-time"] if args.cpu_time else [])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    theirs = [json.loads(line) for line in out.splitlines() if line.strip()]
    print(f"# load average {os.getloadavg()[0]:.1f} at the end", file=sys.stderr)
    ocio1 = {r["workload"]: r["mpx_per_s"] for r in ours if r["threads"] == 1 and r["level"] == "ocio"}
    ocio_avx2 = {r["workload"]: r["mpx_per_s"] for r in ours
                 if r["threads"] == 1 and r["level"] == "ocio-avx2"}
    print(f"{'workload':18} {'level':9} {'threads':>7} {'Mpx/s':>9} {'x OCIO 1T':>10} {'x same level':>13}")
    for r in ours + theirs:
        ratio = r["mpx_per_s"] / ocio1[r["workload"]]
        same = same_level_ratio(r, ocio1, ocio_avx2)
        print(f"{r['workload']:18} {r['level']:9} {r['threads']:>7} {r['mpx_per_s']:>9.1f} {ratio:>10.2f} "
              f"{same:>13}")
    scaling_report(ours + theirs, args.threads, bandwidth)


if __name__ == "__main__":
    main()
