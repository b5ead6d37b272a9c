#!/usr/bin/env python3
"""Rewrites a tenant-guard export archive as its supplier could: a new
manifest tenant and new contents for some parts, with the sizes, row counts
and SHA-256 sums (manifest and SHA256SUMS) made to match, so that only what
import checks beyond the checksums can refuse it.

    rewrite_archive.py IN OUT TENANT [PART=CONTENT_FILE ...]
"""
import hashlib
import io
import json
import sys
import tarfile


def main(argv):
    source, target, tenant = argv[1], argv[2], argv[3]
    replaced = dict(arg.split("=", 1) for arg in argv[4:])
    with tarfile.open(source) as archive:
        names = [m.name for m in archive.getmembers()]
        data = {m.name: archive.extractfile(m).read() for m in archive.getmembers()}
    for part, path in replaced.items():
        with open(path, "rb") as f:
            data[part] = f.read()
    manifest = json.loads(data["manifest.json"])
    manifest["tenant"] = tenant
    for table in manifest["tables"]:
        part = table["part"]
        content = data[part["path"]]
        part["bytes"] = len(content)
        part["sha256"] = hashlib.sha256(content).hexdigest()
        part["rows"] = max(content.count(b"\n") - 1, 0)
    data["manifest.json"] = (json.dumps(manifest, indent=2) + "\n").encode()
    listed = [n for n in names if n != "SHA256SUMS"]
    data["SHA256SUMS"] = "".join(
        f"{hashlib.sha256(data[n]).hexdigest()}  {n}\n" for n in listed if n != "manifest.json"
    ).encode() + f"{hashlib.sha256(data['manifest.json']).hexdigest()}  manifest.json\n".encode()
    with tarfile.open(target, "w", format=tarfile.USTAR_FORMAT) as out:
        for name in names:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data[name]), 0o644, 1
            out.addfile(info, io.BytesIO(data[name]))


if __name__ == "__main__":
    main(sys.argv)
