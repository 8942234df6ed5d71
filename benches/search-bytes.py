#!/usr/bin/env python3
"""Bytes a browser fetches for a first search query on a built site.

    benches/search-bytes.py SITE_DIR "live migration" [SHOWN]

Follows what static/search.js does for a query typed and finished (every
word exact, as after a trailing space): the manifest, the chunk of each
word, then the fragment blocks of the first SHOWN (default 20) results. Prints
raw and gzip (level 6, as static hosts serve) sizes per kind and in total,
and the size of the whole index.
"""
import gzip, json, math, os, re, sys

site, query = sys.argv[1], sys.argv[2]
shown = int(sys.argv[3]) if len(sys.argv) > 3 else 20
base = os.path.join(site, "search")

def read(path):
    with open(os.path.join(base, path), "rb") as f:
        return f.read()

fetched = []  # (kind, raw bytes)
manifest_bytes = read("manifest.json")
fetched.append(("manifest", manifest_bytes))
manifest = json.loads(manifest_bytes)
stop = set(manifest["stop"])
words = [w.lower() for w in re.split(r"[^\w]+|_", query) if w]
words = [w for w in words if len(w) >= manifest["min_chars"] and w not in stop]

chunks = manifest["chunks"]
loaded = {}
per_word = []
for word in words:
    index = max((i for i, c in enumerate(chunks) if c[0] <= word), default=-1)
    postings = {}
    if index >= 0:
        name = chunks[index][1]
        if name not in loaded:
            loaded[name] = read(f"t/{name}.json")
            fetched.append(("chunk", loaded[name]))
        for term, flat in json.loads(loaded[name]):
            if term == word:
                doc = 0
                df = len(flat) // 3
                idf = math.log(1 + len(manifest["docs"]) / max(df, 1))
                for p in range(0, len(flat), 3):
                    doc += flat[p]
                    postings[doc] = (1 + math.log(max(flat[p + 1], 1))) * idf
    per_word.append(postings)

results = {}
if per_word:
    for doc in per_word[0]:
        if all(doc in w for w in per_word):
            results[doc] = sum(w[doc] for w in per_word)
ranked = sorted(results, key=lambda d: (-results[d], d))
block = manifest.get("fragment_block", 1)
for number in sorted({doc // block for doc in ranked[:shown]}):
    fetched.append(("fragment", read(f"{manifest['fragments']}/{number}.json")))

def gz(data):
    return len(gzip.compress(data, 6))

print(f"query {query!r}: {len(ranked)} results, fragments for the first {min(shown, len(ranked))}")
for kind in ("manifest", "chunk", "fragment"):
    items = [b for k, b in fetched if k == kind]
    print(f"  {kind:9} {len(items):3} files  {sum(map(len, items)):9,} B raw  {sum(map(gz, items)):9,} B gzip")
print(f"  {'total':9} {len(fetched):3} files  {sum(len(b) for _, b in fetched):9,} B raw  {sum(gz(b) for _, b in fetched):9,} B gzip")
total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(base) for f in fs)
files = sum(len(fs) for _, _, fs in os.walk(base))
print(f"whole index: {files} files, {total:,} B raw; {len(chunks)} chunks; "
      f"manifest {len(manifest_bytes):,} B raw, {gz(manifest_bytes):,} B gzip, {len(manifest['docs'])} docs")
