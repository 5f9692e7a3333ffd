#!/usr/bin/env python3
"""Consumer check: the spaCy exports (DocBin, .spacy) load in spaCy with no model installed and
hold what the jsonl export of the same project holds.

Usage: check_spacy.py EXPORT.spacy EXPORT.jsonl PROJECT.ron [EXPORT.spacy EXPORT.jsonl PROJECT.ron]...

Each .spacy is read as the README says: `DocBin().from_disk(path).get_docs(nlp.vocab)` with
`nlp = spacy.blank("fr")` and `nlp.max_length` raised. Against the jsonl export of the same
project (one line a document, in the same order), for each document:

- `doc.text` is the line's `text`, and the tokens with their spaces rebuild it;
- `doc.spans["marginalia"]` holds every fragment of every span of the line, with its label, as
  (start, end) code points; each span's text is the text at its offsets, on token boundaries;
- `doc.ents` are fragments of the line, do not overlap, and are the ones that taking the
  fragments by schema order of their label (the label list of PROJECT.ron), then in text order,
  keeps when it skips each that overlaps one already kept; every token outside them is `O`;
- `doc.cats` are the document attributes of PROJECT.ron: `NAME=VALUE` 1.0 for the document's
  value, 0.0 for the other values the schema lists (free text: only 1.0 for the value);
- `doc.user_data` has the line's `id` and its metadata (`meta` without our own keys).

The project file is read for the schema's labels and document attributes and the documents'
attribute values only, by their place in the pretty-printed RON that Marginalia writes.

Exits 1, naming each difference, on any failure.
"""

import json
import re
import sys

import spacy
from spacy.tokens import DocBin

# Differences shown per file before the count of the rest.
SHOWN = 20
# Our keys in the jsonl `meta`, beside the document's metadata (src/formats/jsonl.rs).
META_KEYS = ("path", "status", "sha256", "boilerplate_removed")
META_PREFIX = "metadata:"

STRING = r'"((?:[^"\\]|\\.)*)"'


def unescape(s):
    """A RON string's contents as text."""
    return json.loads('"' + s.replace("\\'", "'") + '"')


def read_project(path):
    """(label names in schema order, {attribute: [values]}, {document path: {attribute: value}})."""
    with open(path, encoding="utf-8") as f:
        ron = f.read()
    schema_end = ron.find("\n  documents: [")
    schema = ron[:schema_end] if schema_end >= 0 else ron
    labels_block = re.search(r"\n    labels: \[\n(.*?)\n    \],", schema, re.S)
    labels = []
    if labels_block:
        labels = [unescape(m) for m in re.findall(r"^        name: " + STRING + ",$", labels_block.group(1), re.M)]
    definitions = {}
    attrs_block = re.search(r"\n    document_attributes: \[\n(.*?)\n    \],", schema, re.S)
    if attrs_block:
        for entry in re.split(r"\n      \),", attrs_block.group(1)):
            name = re.search(r"^        name: " + STRING + ",$", entry, re.M)
            if not name:
                continue
            values = re.search(r"^        values: \[(.*)\],$", entry, re.M)
            definitions[unescape(name.group(1))] = (
                [unescape(v) for v in re.findall(STRING, values.group(1))] if values else []
            )
    documents = {}
    body = ron[schema_end:] if schema_end >= 0 else ""
    for entry in re.split(r"\n    \(\n", body)[1:]:
        path = re.search(r"^      path: " + STRING + ",$", entry, re.M)
        if not path:
            continue
        values = {}
        block = re.search(r"^      attributes: \{\n(.*?)\n      \},$", entry, re.M | re.S)
        if block:
            for key, value in re.findall(r"^        " + STRING + ": " + STRING + ",$", block.group(1), re.M):
                values[unescape(key)] = unescape(value)
        documents[unescape(path.group(1))] = values
    return labels, definitions, documents


def expected_cats(values, definitions):
    cats = {}
    for name, value in values.items():
        if not value:
            continue
        for listed in definitions.get(name, []):
            cats[f"{name}={listed}"] = 1.0 if listed == value else 0.0
        cats[f"{name}={value}"] = 1.0
    return cats


def expected_ents(fragments, labels):
    """Fragments (start, end, label) in text order -> the ents greedy schema-order selection keeps."""
    rank = {label: i for i, label in enumerate(labels)}
    others = sorted({label for _, _, label in fragments if label not in rank})
    for label in others:
        rank[label] = len(rank)
    kept = []
    for start, end, label in sorted(fragments, key=lambda f: rank[f[2]]):  # stable: text order
        if all(end <= s or e <= start for s, e, _ in kept):
            kept.append((start, end, label))
    return sorted(kept)


def plain(value):
    """msgpack's tuples (user_data is read with use_list=False) as lists, to compare with JSON."""
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def check(spacy_path, jsonl_path, ron_path, nlp):
    problems = []
    labels, definitions, attributes = read_project(ron_path)
    with open(jsonl_path, encoding="utf-8") as f:
        lines = [json.loads(line) for line in f if line.strip()]
    docs = list(DocBin().from_disk(spacy_path).get_docs(nlp.vocab))
    if len(docs) != len(lines):
        problems.append(f"{len(docs)} docs, {len(lines)} jsonl lines")
    counts = {"docs": len(docs), "spans": 0, "ents": 0, "cats": 0, "tokens": 0}
    for doc, line in zip(docs, lines):
        name = line["id"]
        text = line["text"]
        counts["tokens"] += len(doc)
        if doc.text != text:
            problems.append(f"{name}: doc.text differs from the jsonl text")
        rebuilt = "".join(t.text_with_ws for t in doc)
        if rebuilt != text or any(not t.text for t in doc):
            problems.append(f"{name}: the tokens do not rebuild the text")
        expected = sorted(
            (frag["start"], frag["end"], span["label"])
            for span in line["spans"]
            for frag in span.get("fragments", [{"start": span["start"], "end": span["end"]}])
        )
        in_text_order = [
            (frag["start"], frag["end"], span["label"])
            for span in line["spans"]
            for frag in span.get("fragments", [{"start": span["start"], "end": span["end"]}])
        ]
        if "marginalia" not in doc.spans:
            problems.append(f"{name}: no doc.spans['marginalia']")
            continue
        group = doc.spans["marginalia"]
        got = sorted((s.start_char, s.end_char, s.label_) for s in group)
        counts["spans"] += len(got)
        if got != expected:
            missing = [f for f in expected if f not in got][:3]
            extra = [f for f in got if f not in expected][:3]
            problems.append(f"{name}: doc.spans['marginalia'] differs: missing {missing}, extra {extra}")
        for s in group:
            if s.text != text[s.start_char:s.end_char]:
                problems.append(f"{name}: span {s.start_char}..{s.end_char} reads {s.text!r}, not {text[s.start_char:s.end_char]!r}")
            if len(s) == 0 or s[0].idx != s.start_char or s[-1].idx + len(s[-1].text) != s.end_char:
                problems.append(f"{name}: span {s.start_char}..{s.end_char} is not on token boundaries")
        ents = sorted((e.start_char, e.end_char, e.label_) for e in doc.ents)
        counts["ents"] += len(ents)
        for (s1, e1, _), (s2, e2, _) in zip(ents, ents[1:]):
            if s2 < e1:
                problems.append(f"{name}: ents {s1}..{e1} and {s2}..{e2} overlap")
        want = expected_ents(in_text_order, labels)
        if ents != want:
            problems.append(f"{name}: doc.ents {ents[:4]}… are not the schema-order selection {want[:4]}…")
        inside = {i for e in doc.ents for i in range(e.start, e.end)}
        if any(t.ent_iob_ != "O" for t in doc if t.i not in inside):
            problems.append(f"{name}: a token outside the ents is not O")
        cats = expected_cats(attributes.get(line["meta"]["path"], {}), definitions)
        counts["cats"] += len(doc.cats)
        if doc.cats != cats:
            problems.append(f"{name}: doc.cats {doc.cats} are not {cats}")
        user = plain(dict(doc.user_data))
        if user.get("id") != name:
            problems.append(f"{name}: user_data id is {user.get('id')!r}")
        meta = {
            (k[len(META_PREFIX):] if k.startswith(META_PREFIX) else k): v
            for k, v in line["meta"].items()
            if k not in META_KEYS
        }
        if user.get("meta") != meta:
            problems.append(f"{name}: user_data meta {user.get('meta')} is not {meta}")
    return counts, problems


def main():
    args = sys.argv[1:]
    if not args or len(args) % 3:
        sys.exit(__doc__)
    nlp = spacy.blank("fr")
    nlp.max_length = 10_000_000
    failed = False
    for i in range(0, len(args), 3):
        spacy_path, jsonl_path, ron_path = args[i : i + 3]
        try:
            counts, problems = check(spacy_path, jsonl_path, ron_path, nlp)
        except Exception as e:  # the file does not load at all
            print(f"{spacy_path}: FAILED to load: {type(e).__name__}: {e}")
            failed = True
            continue
        if problems:
            failed = True
            print(f"{spacy_path}: FAILED, {len(problems)} difference(s)")
            for p in problems[:SHOWN]:
                print(f"  {p}")
            if len(problems) > SHOWN:
                print(f"  … and {len(problems) - SHOWN} more")
        else:
            print(
                f"{spacy_path}: ok ({counts['docs']} docs, {counts['tokens']} tokens, "
                f"{counts['spans']} spans, {counts['ents']} ents, {counts['cats']} cats)"
            )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
