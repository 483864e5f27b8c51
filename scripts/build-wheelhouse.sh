#!/usr/bin/env bash
# Build a wheelhouse for an air-gapped scanning host (run where the package index is reachable):
#   scripts/build-wheelhouse.sh [OUT]        (default: dist/wheelhouse)
# OUT/ gets Prakan's own wheel and a wheel of every pinned dependency (requirements/constraints.txt),
# OUT/collections/ the Ansible collections of requirements/collections.yml as collection tarballs,
# packed from the pinned `ansible` package (no Galaxy server needed), plus install-offline.sh,
# the constraints and SHA256SUMS. Copy OUT to the scanning host and run OUT/install-offline.sh there.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-dist/wheelhouse}
PYTHON=${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}
# pip itself (a host without python3-venv/ensurepip bootstraps from it) and network_cli's faster SSH transport
EXTRA_WHEELS=${EXTRA_WHEELS:-pip ansible-pylibssh}

rm -rf "$OUT"
mkdir -p "$OUT/collections"
OUT=$(cd "$OUT" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. Prakan's own wheel (catalog and schemas are package data inside it), then its dependencies.
"$PYTHON" -m pip wheel -q --no-deps --wheel-dir "$OUT" .
prakan_wheel=$(ls "$OUT"/prakan-*.whl)
extra_pins=()
for name in $EXTRA_WHEELS; do
  pin=$(grep -i -E "^${name}==" requirements/constraints.txt) || { echo "$name is not pinned in requirements/constraints.txt" >&2; exit 2; }
  extra_pins+=("$pin")
done
"$PYTHON" -m pip wheel -q --wheel-dir "$OUT" -c requirements/constraints.txt "$prakan_wheel" "${extra_pins[@]}"
cp requirements/constraints.txt "$OUT/constraints.txt"
cp scripts/install-offline.sh "$OUT/install-offline.sh"
chmod 755 "$OUT/install-offline.sh"

# 2. Ansible collections as tarballs, from the pinned `ansible` package (which ships them installed,
#    with their MANIFEST.json and FILES.json: a collection artifact is exactly that tree, packed).
"$PYTHON" - "$OUT/collections" "$work" <<'PY'
import hashlib, io, json, subprocess, sys, tarfile, zipfile
from pathlib import Path

out, work = Path(sys.argv[1]), Path(sys.argv[2])
wanted = []
import yaml
for entry in yaml.safe_load(Path("requirements/collections.yml").read_text())["collections"]:
    wanted.append((entry["name"], str(entry["version"])))

def installed_root():
    try:
        import ansible_collections
    except ImportError:
        return None
    for p in ansible_collections.__path__:
        if (Path(p) / "cisco").is_dir() or (Path(p) / "ansible" / "netcommon").is_dir():
            return Path(p)
    return None

root = installed_root()
if root is None:  # the pinned `ansible` wheel, downloaded once, unpacked only for the collections we need
    pin = next(l.strip() for l in Path("requirements/constraints.txt").read_text().splitlines()
               if l.lower().startswith("ansible=="))
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(work), pin], check=True)
    (wheel,) = work.glob("ansible-*.whl")
    with zipfile.ZipFile(wheel) as z:
        prefixes = tuple("ansible_collections/" + n.replace(".", "/") + "/" for n, _ in wanted)
        z.extractall(work / "unpacked", [m for m in z.namelist() if m.startswith(prefixes)])
    root = work / "unpacked" / "ansible_collections"

for name, version in wanted:
    src = root / name.replace(".", "/")
    info = json.loads((src / "MANIFEST.json").read_text())["collection_info"]
    if info["version"] != version:
        sys.exit(f"{name}: requirements/collections.yml pins {version}, the ansible package has {info['version']}")
    # The ansible package prunes some files (tests, dotfiles) but keeps the collection's FILES.json:
    # list what is really there, with fresh checksums, so the artifact is consistent.
    files = json.loads((src / "FILES.json").read_text())
    kept, present = [], set()
    for path in sorted(src.rglob("*")):
        rel = str(path.relative_to(src))
        if "__pycache__" in path.parts or path.suffix == ".pyc" or rel in ("MANIFEST.json", "FILES.json"):
            continue
        present.add(rel)
    for entry in files["files"]:
        if entry["name"] == "." or entry["name"] in present:
            if entry["ftype"] == "file":
                entry["chksum_sha256"] = hashlib.sha256((src / entry["name"]).read_bytes()).hexdigest()
            kept.append(entry)
    listed = {e["name"] for e in kept}
    for rel in sorted(present - listed):  # present but never listed: add it
        path = src / rel
        kept.append({"name": rel, "ftype": "dir" if path.is_dir() else "file", "chksum_type": None if path.is_dir()
                     else "sha256", "chksum_sha256": None if path.is_dir() else
                     hashlib.sha256(path.read_bytes()).hexdigest(), "format": 1})
    files["files"] = kept
    files_json = json.dumps(files, indent=4).encode()
    manifest = json.loads((src / "MANIFEST.json").read_text())
    manifest["file_manifest_file"]["chksum_sha256"] = hashlib.sha256(files_json).hexdigest()
    manifest_json = json.dumps(manifest, indent=4).encode()
    target = out / f"{info['namespace']}-{info['name']}-{version}.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        for fname, data in (("MANIFEST.json", manifest_json), ("FILES.json", files_json)):
            ti = tarfile.TarInfo(fname)
            ti.size, ti.mode, ti.mtime = len(data), 0o644, int((src / fname).stat().st_mtime)
            tar.addfile(ti, io.BytesIO(data))
        for entry in kept:
            if entry["name"] != ".":
                tar.add(src / entry["name"], arcname=entry["name"], recursive=False)
    print(f"collection {name} {version} -> {target.name}")
PY
cp requirements/collections.yml "$OUT/collections/requirements.yml"

(cd "$OUT" && find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)
echo "wheelhouse: $(ls "$OUT"/*.whl | wc -l) wheels, $(ls "$OUT"/collections/*.tar.gz | wc -l) collections -> $OUT"
