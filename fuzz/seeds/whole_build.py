#!/usr/bin/env python3
"""Seed corpus for the `whole_build` fuzz target, made from content-example.

The target reads its input as NUL-separated files, each a path line then
the contents (see fuzz_targets/whole_build.rs), at most six per input. Left
alone the fuzzer starts from empty inputs and spends its whole run finding
what a spec file looks like; seeding it with real repositories in that
shape starts it inside the interesting code (front matter, RST field
lists, kep.yaml sidecars, redirects, references between specs, a config
and a template override).

Seeds are written, not committed: run from the repository root

    python3 fuzz/seeds/whole_build.py fuzz/corpus/whole_build

Every file is cut to a few KiB so one execution stays fast; the fuzzer's
mutations add the rest.
"""

import os
import sys

# Files the target may hold at once (MAX_FILES in whole_build.rs).
MAX_FILES = 6
# Bytes kept of each file: enough for headers, a section or two and the
# references, small enough for hundreds of executions a second.
MAX_FILE_BYTES = 2048
SPEC_SUFFIXES = (".md", ".rst", ".yaml", ".toml", ".html", "redirects")


def pack(root, rel_paths):
    """The target's input format for these files of `root`."""
    parts = []
    for rel in rel_paths:
        with open(os.path.join(root, rel), "rb") as f:
            contents = f.read()
        if rel.endswith(".toml"):
            # The config is all comments but 1 KiB; cut, it would stop
            # every build at a half-written key.
            contents = b"".join(
                line for line in contents.splitlines(keepends=True)
                if line.strip() and not line.lstrip().startswith(b"#"))
        else:
            contents = contents[:MAX_FILE_BYTES]
        parts.append(rel.encode() + b"\n" + contents.replace(b"\0", b""))
    return b"\0".join(parts)


def source_files(root):
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "_site")
        for name in sorted(filenames):
            rel = os.path.relpath(os.path.join(dirpath, name), root)
            if rel.endswith(SPEC_SUFFIXES) and rel not in ("README.md", "EXPECTED.md"):
                found.append(rel)
    return found


def seeds(root):
    files = source_files(root)
    config = [f for f in files if f == "specsite.toml"]
    specs = [f for f in files if f not in config]
    # One seed per file, with the repository's config beside it.
    for rel in specs:
        yield config + [rel]
    # Files of one directory together, so references between them resolve.
    by_dir = {}
    for rel in specs:
        by_dir.setdefault(os.path.dirname(rel), []).append(rel)
    for group in by_dir.values():
        for start in range(0, len(group), MAX_FILES - len(config)):
            yield config + group[start:start + MAX_FILES - len(config)]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: whole_build.py OUTPUT_DIR  (run from the repository root)")
    root = "content-example"
    if not os.path.isdir(root):
        sys.exit("content-example/ not found: run from the repository root")
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    count = 0
    for number, rel_paths in enumerate(seeds(root)):
        with open(os.path.join(out, "seed-%03d" % number), "wb") as f:
            f.write(pack(root, rel_paths))
        count += 1
    print("wrote %d seeds to %s" % (count, out))


if __name__ == "__main__":
    main()
