#!/usr/bin/env bash
# Manual check (not run by .ci/run: Label Studio takes about 1 GB and minutes to install, and a
# minute to start): a real Label Studio accepts our Label Studio export unchanged, and its own
# export comes back into Marginalia with the same spans, links, attributes, annotators and
# metadata. Last run: Label Studio 1.23.2, OK (see the steps below for what it checks).
#
#   .ci/check_label_studio.sh            # builds marginalia, installs Label Studio in target/ls-venv
#   LS_VENV=/path/to/venv .ci/check_label_studio.sh
#
# Steps: start Label Studio on 127.0.0.1 with SQLite in a temporary data folder (a user and a
# legacy API token of its own); for the sample project, and for a copy of it with document
# metadata (title, url, a number), export with `marginalia export --format label-studio`; create a
# Label Studio project with the exported config.xml; POST tasks.json to /api/projects/ID/import;
# check the counts of tasks, regions, choices, text areas and relations Label Studio stored, and
# that it stored every result unchanged; export the project from Label Studio (JSON), import that
# into Marginalia (`marginalia import --format label-studio`), and compare with `marginalia agree`
# (exact F1 1.000 on spans, links F1 1.000, document attributes all agreed) and the metadata.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${LS_VENV:-target/ls-venv}
port=${LS_PORT:-8089}
if [ ! -x "$venv/bin/label-studio" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir label-studio
fi
cargo build --quiet --no-default-features
bin=target/debug/marginalia
work=$(mktemp -d)
token=marginalia-check-$(date +%s)-$$
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$venv/bin/label-studio" start --no-browser --internal-host 127.0.0.1 --port "$port" \
  --data-dir "$work/ls-data" --username check@example.com --password "check-$token" \
  --user-token "$token" --enable-legacy-api-token >"$work/ls.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/ls.log"; exit 1; }
  sleep 2
done
curl -sf "http://127.0.0.1:$port/health" >/dev/null || { tail -50 "$work/ls.log"; exit 1; }
"$venv/bin/label-studio" --version 2>/dev/null | head -1 || true

# The sample with metadata: through Marginalia's jsonl, whose `meta` keys become metadata.
"$bin" export projects/sample.ron --format jsonl -o "$work/sample.jsonl"
python3 - "$work/sample.jsonl" "$work/with-metadata.jsonl" <<'EOF'
import json, sys
with open(sys.argv[1], encoding="utf-8") as f, open(sys.argv[2], "w", encoding="utf-8") as out:
    for n, line in enumerate(f):
        doc = json.loads(line)
        doc["meta"].update({"title": f"Article {n}", "url": f"https://example.org/{n}", "words": 100 + n})
        out.write(json.dumps(doc, ensure_ascii=False) + "\n")
EOF
"$bin" import --format jsonl "$work/with-metadata.jsonl" -o "$work/with-metadata.ron" --annotator camille >/dev/null
# And document attributes of both kinds: free text (a Label Studio TextArea), and choices named
# "text" like the Text tag (so written as "text (document)").
python3 - "$work/with-metadata.ron" <<'EOF'
import sys
path = sys.argv[1]
s = open(path, encoding="utf-8").read()
defs = ('\n    document_attributes: [\n      (\n        name: "summary",\n      ),\n'
        '      (\n        name: "text",\n        values: ["full", "excerpt"],\n      ),\n    ],')
s = s.replace('\n  ),\n  documents: [', defs + '\n  ),\n  documents: [', 1)
values = '      attributes: {\n        "summary": "Line one\\nline \\"two\\"",\n        "text": "excerpt",\n      },\n'
s = s.replace('      status: Done,\n', '      status: Done,\n' + values, 2)
open(path, "w", encoding="utf-8").write(s)
EOF
"$bin" check "$work/with-metadata.ron" >/dev/null

status=0
for project in projects/sample.ron "$work/with-metadata.ron"; do
  name=$(basename "$project" .ron)
  echo "== $name"
  "$bin" export "$project" --format label-studio -o "$work/$name-ls"
  "$venv/bin/python" - "$port" "$token" "$work/$name-ls" "$work/$name-back" <<'EOF' || status=1
import collections, json, os, sys, urllib.request

port, token, ours, back = sys.argv[1:5]
base = f"http://127.0.0.1:{port}/api"

def call(method, path, body=None):
    request = urllib.request.Request(base + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")

config = open(os.path.join(ours, "config.xml"), encoding="utf-8").read()
tasks = json.load(open(os.path.join(ours, "tasks.json"), encoding="utf-8"))
code, project = call("POST", "/projects/", {"title": os.path.basename(ours), "label_config": config})
assert code == 201, f"the config was refused: {code} {project}"
code, answer = call("POST", f"/projects/{project['id']}/import", tasks)
assert code == 201, f"the tasks were refused: {code} {answer}"
print("import:", {k: answer.get(k) for k in ("task_count", "annotation_count")})
assert answer["task_count"] == len(tasks), answer
code, exported = call("GET", f"/projects/{project['id']}/export?exportType=JSON")
assert code == 200, exported

def kinds(tasks):
    counts = collections.Counter()
    for task in tasks:
        for annotation in task["annotations"]:
            for result in annotation["result"]:
                whole = "start" not in result.get("value", {}) and result["type"] != "relation"
                counts[result["type"] + (" (document)" if whole else "")] += 1
    return counts

want, got = kinds(tasks), kinds(exported)
print("ours:        ", dict(sorted(want.items())))
print("label studio:", dict(sorted(got.items())))
assert want == got, "Label Studio did not keep every result"
by_path = {t["data"]["path"]: t for t in exported}
for task in tasks:
    theirs = by_path[task["data"]["path"]]
    assert theirs["data"] == task["data"], task["data"]["path"]
    assert theirs["meta"] == task["meta"], (theirs["meta"], task["meta"])
    key = lambda r: json.dumps(r, sort_keys=True)
    mine = sorted(map(key, task["annotations"][0]["result"]))
    stored = sorted(map(key, theirs["annotations"][0]["result"]))
    assert mine == stored, f"{task['data']['path']}: results changed"
print("every task's data, meta and results came back unchanged")
os.makedirs(back)
json.dump(exported, open(os.path.join(back, "tasks.json"), "w", encoding="utf-8"), ensure_ascii=False)
open(os.path.join(back, "config.xml"), "w", encoding="utf-8").write(config)
EOF
  "$bin" import --format label-studio "$work/$name-back" -o "$work/$name-back.ron" --annotator ls-import
  "$bin" agree "$project" "$work/$name-back.ron" --format json >"$work/$name-agree.json" || status=1
  python3 - "$work/$name-agree.json" "$project" "$work/$name-back.ron" "$bin" "$work" <<'EOF' || status=1
import json, os, subprocess, sys
report = json.load(open(sys.argv[1]))
row = report["rows"][0]
print("agree: exact F1 %.3f, overlap F1 %.3f, links F1 %s, document attributes %s" % (
    row["exact"]["f1"], row["overlap"]["f1"],
    [round(l["f1"], 3) for l in report["links"]],
    [(a["name"], a["observed"]) for a in report["document_attributes"]]))
assert row["exact"]["f1"] == 1.0 and row["exact"]["reference_spans"] == row["exact"]["other_spans"], row
assert all(l["f1"] == 1.0 for l in report["links"] if l["a"] or l["b"]), report["links"]
assert all(a["observed"] == 1.0 and a["documents"] > 0 for a in report["document_attributes"]), report["document_attributes"]
# Annotators and metadata, through the jsonl export of both projects.
def lines(project):
    out = os.path.join(sys.argv[5], "compare.jsonl")
    subprocess.run([sys.argv[4], "export", project, "--format", "jsonl", "-o", out],
                   check=True, capture_output=True)
    docs = {}
    for line in open(out, encoding="utf-8"):
        doc = json.loads(line)
        meta = {k: v for k, v in doc["meta"].items() if k not in ("path", "status", "sha256", "boilerplate_removed")}
        docs[doc["text"]] = (meta, sorted((s["start"], s["end"], s["label"], s["annotator"]) for s in doc["spans"]))
    return docs
ours, back = lines(sys.argv[2]), lines(sys.argv[3])
assert ours == back, "annotators or metadata differ"
if "with-metadata" in sys.argv[2]:
    assert all(meta.get("title") for meta, _ in back.values()), "no metadata came back"
print("annotators and metadata came back")
EOF
done
[ "$status" = 0 ] && echo "Label Studio check: OK" || echo "Label Studio check: FAILED"
exit "$status"
