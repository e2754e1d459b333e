#!/usr/bin/env bash
# Post-handoff interop against independent reference tools, installed here from PyPI:
#   - ascmhl (the ASC MHL reference implementation) verifies lookwire's histories and
#     lookwire verifies ascmhl's, each after the other tool added a generation; a tampered,
#     a new and a missing file are caught by both with the same exit codes.
#   - OpenTimelineIO with otio-ale-adapter and otio-cmx3600-adapter reads lookwire's ALE and
#     EDL exports and finds clip names, timecodes and ASC values; OpenColorIO reads the
#     .cc/.ccc/.cdl exports and renders them as the grade log's CDLs.
# Needs: Rust toolchain, Python 3.11 with venv/pip.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV="${LOOKWIRE_INTEROP_VENV:-target/post-interop-venv}"
if [ ! -x "$VENV/bin/ascmhl" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    ascmhl opentimelineio otio-ale-adapter otio-cmx3600-adapter opencolorio
fi
"$VENV/bin/python" -c "import pypdf" 2>/dev/null ||
  "$VENV/bin/pip" install --quiet --disable-pip-version-check pypdf
ASCMHL="$VENV/bin/ascmhl"
ASCMHL_DEBUG="$VENV/bin/ascmhl-debug"

cargo build --quiet -p lookwire-server --bin lookwire
LOOKWIRE="$PWD/target/debug/lookwire"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

# expect CODE DESCRIPTION -- COMMAND...: runs COMMAND and checks its exit code.
expect() {
  local want="$1" what="$2"
  shift 3
  local got=0
  "$@" >"$WORK/out.log" 2>&1 || got=$?
  if [ "$got" = "$want" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $what: exit $got, expected $want"
    sed 's/^/    /' "$WORK/out.log"
  fi
}

# expect_output PATTERN DESCRIPTION: the last command's output names PATTERN.
expect_output() {
  if grep -q -- "$1" "$WORK/out.log"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $2: output does not mention $1"
    sed 's/^/    /' "$WORK/out.log"
  fi
}

make_card() {
  mkdir -p "$1/Clips/A001C001" "$1/Sound" "$1/empty"
  printf 'frame one\n' >"$1/Clips/A001C001/A001C001_0001.ari"
  printf 'frame two\n' >"$1/Clips/A001C001/A001C001_0002.ari"
  head -c 3000000 /dev/zero | tr '\0' 'x' >"$1/Clips/A001C001.mov"
  printf 'wav' >"$1/Sound/S001.wav"
  printf 'notes\n' >"$1/notes.txt"
}

echo "-- lookwire writes, ascmhl reads and extends"
L="$WORK/lookwire_first/A001"
make_card "$L"
expect 0 "lookwire mhl create" -- "$LOOKWIRE" mhl create "$L"
expect 0 "ascmhl verifies lookwire's generation" -- "$ASCMHL_DEBUG" verify "$L"
expect 0 "ascmhl verifies lookwire's directory hashes" -- "$ASCMHL_DEBUG" verify -dh "$L"
expect 0 "ascmhl diff on lookwire's history" -- "$ASCMHL" diff "$L"
printf 'second day\n' >"$L/Sound/S002.wav"
expect 0 "ascmhl adds generation 2 to lookwire's history" -- "$ASCMHL" create "$L" -h xxh128
expect 0 "lookwire verifies after ascmhl's generation" -- "$LOOKWIRE" mhl verify "$L"
expect 0 "lookwire create with nothing changed" -- "$LOOKWIRE" mhl create "$L" -h xxh128
expect_output "No change" "lookwire adds no generation when nothing changed"
printf 'edited\n' >"$L/notes.txt"
expect 11 "lookwire catches the tampered file" -- "$LOOKWIRE" mhl verify "$L"
expect_output "notes.txt" "lookwire names the tampered file"
expect 11 "ascmhl catches the tampered file" -- "$ASCMHL_DEBUG" verify "$L"
printf 'notes\n' >"$L/notes.txt"
rm "$L/Sound/S001.wav"
expect 10 "lookwire reports the missing file" -- "$LOOKWIRE" mhl verify "$L"
expect_output "Sound/S001.wav" "lookwire names the missing file"
expect 10 "ascmhl reports the missing file" -- "$ASCMHL_DEBUG" verify "$L"

echo "-- ascmhl writes, lookwire reads and extends"
A="$WORK/ascmhl_first/B002"
make_card "$A"
expect 0 "ascmhl create (xxh128, its default)" -- "$ASCMHL" create "$A"
expect 0 "lookwire verifies ascmhl's generation" -- "$LOOKWIRE" mhl verify "$A"
expect 0 "lookwire diff on ascmhl's history" -- "$LOOKWIRE" mhl diff "$A"
printf 'new clip\n' >"$A/Clips/A001C002.mov"
expect 21 "lookwire diff names the new file" -- "$LOOKWIRE" mhl diff "$A"
expect_output "Clips/A001C002.mov" "lookwire names the new file"
expect 0 "lookwire adds generation 2 (xxh64 + md5)" -- "$LOOKWIRE" mhl create "$A" -h xxh64 -h md5
expect 0 "ascmhl verifies after lookwire's generation" -- "$ASCMHL_DEBUG" verify "$A"
expect 0 "ascmhl create on top of lookwire's generation" -- "$ASCMHL" create "$A" -h xxh64
expect 0 "lookwire verifies the three generations" -- "$LOOKWIRE" mhl verify "$A"
head -c 3000000 /dev/zero | tr '\0' 'y' >"$A/Clips/A001C001.mov"
expect 11 "lookwire catches the tampered clip" -- "$LOOKWIRE" mhl verify "$A"
expect 11 "ascmhl catches the tampered clip" -- "$ASCMHL_DEBUG" verify "$A"
sed -i 's/notes.txt/notez.txt/' "$A"/ascmhl/0001_*.mhl
expect 31 "lookwire catches an edited manifest" -- "$LOOKWIRE" mhl verify "$A"
expect 31 "ascmhl catches the same edit" -- "$ASCMHL_DEBUG" verify "$A"

echo "-- lookwire export read by OpenTimelineIO, OpenColorIO and ascmhl"
DATA=server/tests/post/export
expect 0 "lookwire export" -- "$LOOKWIRE" export --clips "$DATA/day1.ale" --grades "$DATA/grades.json" \
  --format cc,ccc,cdl,ale,edl,amf --out "$WORK/export" --name day1 --day 2024-05-01
PKG="$WORK/export/day1"
expect 0 "ascmhl verifies the export package" -- "$ASCMHL_DEBUG" verify "$PKG"
expect 0 "lookwire verifies the export package" -- "$LOOKWIRE" mhl verify "$PKG"
expect 0 "OpenTimelineIO and OpenColorIO read the exports" -- "$VENV/bin/python" - "$PKG" "$DATA/grades.json" "$LOOKWIRE" <<'PY'
import json, os, subprocess, sys, tempfile
import opentimelineio as otio
import PyOpenColorIO as ocio

pkg, grades_path = sys.argv[1], sys.argv[2]
grades = json.load(open(grades_path))
# The grade each clip got in lookwire (rule: live at its first frame), by clip name.
want = {
    "A001C003_240501_R1AB": grades["events"][0],
    "A001C004_240501_R1AB": grades["events"][0],
    "B012C003_240501_R2CD": grades["events"][2],
}
starts = {"A001C003_240501_R1AB": "14:02:10:00", "A001C004_240501_R1AB": "14:10:00:00",
          "B012C003_240501_R2CD": "14:02:10:05", "B012C004_240501_R2CD": "09:00:00:00"}
failures = []

def check(cond, what):
    if not cond:
        failures.append(what)

def same(a, b):
    return all(abs(x - y) < 1e-12 for x, y in zip(a, b))

def check_cdl(name, cdl, where):
    g = want.get(name)
    if g is None:
        check(not cdl or not cdl.get("asc_sop"), f"{where}: {name} has no grade but carries ASC values")
        return
    sop = cdl["asc_sop"]
    c = g["cdl"]
    check(same(sop["slope"], c["slope"]) and same(sop["offset"], c["offset"])
          and same(sop["power"], c["power"]) and abs(cdl["asc_sat"] - c["sat"]) < 1e-12,
          f"{where}: {name} ASC values {cdl} != {c}")

ale = otio.adapters.read_from_file(f"{pkg}/ale/day1_graded.ale")
names = [c.name for c in ale.find_clips()]
check(sorted(names) == sorted(starts), f"ALE clip names {names}")
for clip in ale.find_clips():
    check(otio.opentime.to_timecode(clip.source_range.start_time) == starts[clip.name],
          f"ALE {clip.name} starts {otio.opentime.to_timecode(clip.source_range.start_time)}")
    check_cdl(clip.name, clip.metadata.get("cdl"), "ALE")
    check(clip.metadata["ALE"].get("Scene") is not None, "ALE lost the Scene column")

for camera, clips in (("A", ["A001C003_240501_R1AB", "A001C004_240501_R1AB"]),
                      ("B", ["B012C004_240501_R2CD", "B012C003_240501_R2CD"])):
    edl = otio.adapters.read_from_file(f"{pkg}/edl/{camera}_2024-05-01.edl", rate=24000 / 1001)
    found = list(edl.find_clips())
    check([c.name for c in found] == clips, f"EDL {camera} clip names {[c.name for c in found]}")
    for clip in found:
        check(otio.opentime.to_timecode(clip.source_range.start_time) == starts[clip.name],
              f"EDL {clip.name} source in")
        check_cdl(clip.name, clip.metadata.get("cdl"), f"EDL {camera}")
        comments = clip.metadata["cmx_3600"].get("comments", [])
        check(any(c.startswith("SOURCE FILE: " + clip.name) for c in comments), f"EDL {clip.name} comments {comments}")

config = ocio.Config.CreateRaw()
pixels = [0.02, 0.18, 0.5, 0.35, 0.7, 0.9, 0.6, 0.4, 0.1]

def render(transform):
    # applyRGB returns the result for a list (it changes only buffers in place).
    return config.getProcessor(transform).getDefaultCPUProcessor().applyRGB(list(pixels))

def same_as_lookwire(path, name, style, transform):
    """lookwire's CDL from the file, baked on ACEScct code values (input and output ACEScct,
    so the table holds the CDL alone), against OpenColorIO's at every node of the table."""
    n = 17
    with tempfile.TemporaryDirectory() as tmp:
        cube = os.path.join(tmp, "cdl.cube")
        subprocess.run([sys.argv[3], "bake", "--input", "acescct", "--working", "camera", "--cdl", path,
                        "--cdl-id", name, "--cdl-style", style, "--output", "acescct", "--size", str(n),
                        "-o", cube], check=True, capture_output=True)
        rows = [list(map(float, l.split())) for l in open(cube) if l[:1].isdigit() or l[:1] == "-"]
    nodes = [[r / (n - 1), g / (n - 1), b / (n - 1)] for b in range(n) for g in range(n) for r in range(n)]
    flat = [v for node in nodes for v in node]
    ours = [v for row in rows for v in row]
    theirs = config.getProcessor(transform).getDefaultCPUProcessor().applyRGB(flat)
    worst = max(abs(a - b) for a, b in zip(ours, theirs))
    if len(ours) != len(flat) or worst > 2e-5:
        print(f"{path} {name}: {len(ours)} values, worst difference {worst}")
        return False
    return True

for name, g in want.items():
    c = g["cdl"]
    style = ocio.CDL_ASC if g["style"] == "asc" else ocio.CDL_NO_CLAMP
    camera = name[0]
    expected = ocio.CDLTransform(slope=c["slope"], offset=c["offset"], power=c["power"], sat=c["sat"])
    expected.setStyle(style)
    reference = render(expected)
    for path in (f"{pkg}/cc/{name}.cc", f"{pkg}/ccc/{camera}_2024-05-01.ccc", f"{pkg}/cdl/{camera}_2024-05-01.cdl"):
        read = ocio.CDLTransform.CreateFromFile(path, name)
        check(same(read.getSlope(), c["slope"]) and same(read.getOffset(), c["offset"])
              and same(read.getPower(), c["power"]) and abs(read.getSat() - c["sat"]) < 1e-12,
              f"OCIO read {path} id {name}: {read}")
        read.setStyle(style)
        got = render(read)
        check(max(abs(a - b) for a, b in zip(got, reference)) < 1e-6, f"OCIO render of {path} id {name}")
        check(same_as_lookwire(path, name, g["style"], read), f"OCIO and lookwire apply {path} id {name} differently")

for f in failures:
    print("FAIL:", f)
print(f"otio/ocio checks: {len(failures)} failed")
sys.exit(1 if failures else 0)
PY

echo "-- lookwire's look exports read by OpenColorIO: CLF as separate process nodes"
expect 0 "lookwire export cube,clf" -- "$LOOKWIRE" export --clips "$DATA/day1.ale" --show "$DATA/demo-show.json" \
  --format cube,clf --lut-size 33 --out "$WORK/looks" --name looks --day d1
expect 0 "lookwire export cube,clf at 65^3" -- "$LOOKWIRE" export --clips "$DATA/day1.ale" --show "$DATA/demo-show.json" \
  --format cube,clf --lut-size 65 --out "$WORK/looks65" --name looks --day d1
expect 0 "OpenColorIO applies the CLF nodes like the baked cube" -- "$VENV/bin/python" - "$WORK/looks/looks" "$WORK/looks65/looks" <<'PY'
import glob, os, sys
import PyOpenColorIO as ocio

pkg = sys.argv[1]
config = ocio.Config.CreateRaw()
pixels = [v / 20 for v in range(1, 20) for _ in range(3)] + [0.4, 0.35, 0.3, 0.35, 0.42, 0.45, 0.5, 0.4, 0.35]
levels = (0.25, 0.45, 0.65)
saturated = [v for r in levels for g in levels for b in levels for v in (r, g, b)]
failures = []
clfs = sorted(glob.glob(f"{pkg}/clf/*.clf"))
if len(clfs) != 12:
    failures.append(f"expected 12 CLF looks (6 cameras x 2 outputs), found {len(clfs)}")
for clf in clfs:
    cube = f"{pkg}/cube/{os.path.basename(clf)[:-4]}.cube"
    out = {}
    for path in (clf, cube):
        t = ocio.FileTransform(src=path, interpolation=ocio.INTERP_TETRAHEDRAL)
        proc = config.getProcessor(t)
        out[path] = proc.getDefaultCPUProcessor().applyRGB(list(pixels))
        if path == clf:
            kinds = [type(x).__name__ for x in proc.createGroupTransform()]
            if "CDLTransform" not in kinds or "Lut3DTransform" not in kinds or "MatrixTransform" not in kinds:
                failures.append(f"{clf}: nodes {kinds}")
    worst = max(abs(a - b) for a, b in zip(out[clf], out[cube]))
    if worst > 0.03:
        failures.append(f"{clf}: differs from the baked cube by {worst}")

# Saturated colours (camera log 0.25/0.45/0.65 per channel, up to 4.6 stops apart): both files
# hold the ACES 2.0 output as a table (the cube over camera log, the CLF over ACEScct), so
# they agree within the two tables' interpolation. That the gap is interpolation and not a
# different chain (such as a clamp in one file only) shows as it shrinks with the tables'
# size: at 65^3 the worst gap is under half of the one at 33^3.
def saturated_gap(package, name):
    cpu = [config.getProcessor(ocio.FileTransform(src=f"{package}/{kind}/{name}.{kind}",
                                                  interpolation=ocio.INTERP_TETRAHEDRAL)).getDefaultCPUProcessor()
           for kind in ("clf", "cube")]
    a, b = (p.applyRGB(list(saturated)) for p in cpu)
    return max(abs(x - y) for x, y in zip(a, b))

gaps = {}
for clf in clfs:
    name = os.path.basename(clf)[:-4]
    gaps[name] = (saturated_gap(pkg, name), saturated_gap(sys.argv[2], name))
    print(f"{name}: saturated colours, CLF against cube: {gaps[name][0] * 1023:.1f} codes at 33^3, "
          f"{gaps[name][1] * 1023:.1f} at 65^3")
worst33, worst65 = (max(g[i] for g in gaps.values()) for i in (0, 1))
if worst65 > 0.5 * worst33:
    failures.append(f"the CLF/cube gap does not shrink with the tables: {worst33} at 33^3, {worst65} at 65^3")
if worst65 > 0.06:
    failures.append(f"at 65^3 the CLF and the cube differ by {worst65} on saturated colours")
for f in failures:
    print("FAIL:", f)
print(f"CLF looks checked: {len(clfs)}, {len(failures)} failed")
sys.exit(1 if failures else 0)
PY

echo "-- lookwire's PDF look report read by pypdf"
expect 0 "lookwire export report" -- "$LOOKWIRE" export --clips "$DATA/day1.ale" --show "$DATA/demo-show.json" \
  --format report --out "$WORK/report" --name report --day d1
expect 0 "pypdf reads a page per camera with its two stills" -- "$VENV/bin/python" - "$WORK/report/report/report.pdf" <<'PY'
import sys
from pypdf import PdfReader

reader = PdfReader(sys.argv[1])
failures = []
if len(reader.pages) != 6:
    failures.append(f"{len(reader.pages)} pages, expected one per camera (6)")
for i, page in enumerate(reader.pages):
    text = page.extract_text()
    label = f"CAM {'ABCDEF'[i]}"
    if label not in text or "ASC_SOP" not in text:
        failures.append(f"page {i + 1}: text lacks {label} or ASC_SOP: {text[:200]!r}")
    if len(page.images) != 2:
        failures.append(f"page {i + 1}: {len(page.images)} images, expected the two stills")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
PY

echo "-- the shipped LUTs' history (luts/ascmhl) verified by ascmhl"
expect 0 "ascmhl verifies luts/" -- "$ASCMHL_DEBUG" verify luts

echo "-- a report with no camera is still a PDF pypdf reads"
# (Groups, snapshots and scenes name cameras: a show without cameras has none of them,
# or export refuses it as the server refuses such an import.)
python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); s.update(cameras={}, groups={}, snapshots={}, scenes={}); json.dump(s, open(sys.argv[2], "w"))' \
  "$DATA/demo-show.json" "$WORK/no-camera.json"
expect 0 "lookwire export report of a show with no camera" -- "$LOOKWIRE" export --clips "$DATA/day1.ale" --show "$WORK/no-camera.json" \
  --format report --out "$WORK/empty" --name empty --day d1
expect 0 "pypdf reads the one page saying no camera was exported" -- "$VENV/bin/python" - "$WORK/empty/empty/report.pdf" <<'PY'
import sys
from pypdf import PdfReader

reader = PdfReader(sys.argv[1], strict=True)
text = reader.pages[0].extract_text() if len(reader.pages) == 1 else ""
sys.exit(0 if "No camera exported" in text else f"{len(reader.pages)} pages: {text[:200]!r}")
PY

echo "-- a folder of camera files scanned with ffprobe"
if ! command -v ffprobe >/dev/null 2>&1; then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null
fi
CARDS="$WORK/cards"
mkdir -p "$CARDS/A001"
ffmpeg -v error -y -f lavfi -i testsrc=size=64x36:rate=25 -frames:v 50 -c:v mpeg4 \
  -timecode 14:02:10:00 -metadata:s:v:0 reel_name=A001 "$CARDS/A001/A001C003_240501_R1AB.mov"
ffmpeg -v error -y -f lavfi -i testsrc=size=64x36:rate=25 -frames:v 25 -c:v mpeg4 \
  -timecode 14:03:00:00 -metadata:s:v:0 reel_name=B012 "$CARDS/B012C003_240501_R2CD.mov"
expect 0 "lookwire export from a scanned folder" -- "$LOOKWIRE" export --clips "$CARDS" --show "$DATA/demo-show.json" \
  --format cc,edl --out "$WORK/scan" --name scan --day d1
expect 0 "OpenTimelineIO reads the scanned clips' EDL" -- "$VENV/bin/python" - "$WORK/scan/scan" <<'PY'
import sys
import opentimelineio as otio

pkg = sys.argv[1]
failures = []
for camera, name, start, end in (("A", "A001C003_240501_R1AB", "14:02:10:00", "14:02:12:00"),
                                 ("B", "B012C003_240501_R2CD", "14:03:00:00", "14:03:01:00")):
    edl = otio.adapters.read_from_file(f"{pkg}/edl/{camera}_d1.edl", rate=25)
    clips = list(edl.find_clips())
    if [c.name for c in clips] != [name]:
        failures.append(f"EDL {camera}: clips {[c.name for c in clips]}")
        continue
    r = clips[0].source_range
    got = (otio.opentime.to_timecode(r.start_time), otio.opentime.to_timecode(r.end_time_exclusive()))
    if got != (start, end):
        failures.append(f"EDL {camera}: {got} != {(start, end)}")
    if not clips[0].metadata.get("cdl", {}).get("asc_sop"):
        failures.append(f"EDL {camera}: no ASC_SOP")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
PY

echo "-- the API scans folders only inside the media roots given at start"
PORT=$((20000 + RANDOM % 20000))
LOOKWIRE_MEDIA_ROOTS="$CARDS" LOOKWIRE_EXPORT_DIR="$WORK/api-exports" \
  "$LOOKWIRE" serve --demo --bind "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVE=$!
# (Under set -e a failing command in the trap would set the script's status: the server
# may already be gone, so neither kill nor wait may fail here.)
trap 'kill "$SERVE" 2>/dev/null || true; wait "$SERVE" 2>/dev/null || true; rm -rf "$WORK"' EXIT
expect 0 "POST /clips/scan and an export of the scanned clips into LOOKWIRE_EXPORT_DIR" -- \
  python3 - "$PORT" "$WORK/api-exports" <<'PY'
import json, os, sys, time, urllib.error, urllib.request

base = f"http://127.0.0.1:{sys.argv[1]}/api/v1"
def call(method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)
for _ in range(100):
    try:
        status, roots = call("GET", "/media-roots")
        break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("the server did not start")
failures = []
if [r["name"] for r in roots] != ["cards"]:
    failures.append(f"media roots {roots}")
status, clips = call("POST", "/clips/scan", {"root": "cards", "folder": "A001"})
got = [(c["name"], c["start"], c["reel"]) for c in clips] if status == 200 else clips
if got != [("A001C003_240501_R1AB", "14:02:10:00", "A001")]:
    failures.append(f"scan of A001: {status} {got}")
status, body = call("POST", "/clips/scan", {"root": "cards", "folder": "../.."})
if status != 422 or body["error"]["path"] != "/folder":
    failures.append(f"a folder outside the root: {status} {body}")
status, x = call("POST", "/exports", {"formats": ["cc"], "scan": {"root": "cards"}, "name": "scanned", "day": "d1"})
if status != 201:
    failures.append(f"export of a scanned folder: {status} {x}")
else:
    package = os.path.join(sys.argv[2], "scanned")
    if x["folder"] != package or not os.path.isdir(os.path.join(package, "ascmhl")):
        failures.append(f"package {x['folder']} not in LOOKWIRE_EXPORT_DIR with its ascmhl/")
    if not any(f["path"].endswith("A001C003_240501_R1AB.cc") for f in x["files"]):
        failures.append(f"no .cc for the scanned clip: {[f['path'] for f in x['files']]}")
for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
PY
kill "$SERVE" 2>/dev/null || true
wait "$SERVE" 2>/dev/null || true

echo "post-interop: $passed passed, $failed failed"
[ "$failed" = 0 ]
