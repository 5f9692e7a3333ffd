"""Consumer check: the jsonl exports load, unchanged, in the tools that consume them.

For every file given: Hugging Face `datasets` loads it with typed columns; every span satisfies
`text[start:end] == span["text"]` in Python (each fragment of a discontinuous span does); spaCy's
`Doc.char_span(start, end)` finds every span whose ends fall on spaCy token boundaries, with the
same text; relations point to spans of their document. In an export with spans accepted from
suggestions, every span has `suggested`: `suggester` and `rule` (strings), or null; `datasets`
types it as a column of structs. In an export with document attributes, every line has the same
`attributes` (a string or null by name) and `cats` (1.0 or 0.0 by `NAME=VALUE`, at most one 1.0
a name, and a 1.0 exactly where `attributes` has that value): `datasets` types them as struct
columns of strings and floats, and gives back the same values.

Usage: python check_jsonl.py EXPORT.jsonl [...]
"""

import json
import sys

import datasets
import spacy


def check(path: str) -> None:
    rows = [json.loads(line) for line in open(path, encoding="utf-8")]
    dataset = datasets.load_dataset("json", data_files=path, split="train")
    assert dataset.num_rows == len(rows), (dataset.num_rows, len(rows))
    features = dataset.features
    assert features["text"].dtype == "string", features["text"]
    span = features["spans"].feature if hasattr(features["spans"], "feature") else features["spans"][0]
    for key, dtype in [("start", "int64"), ("end", "int64"), ("label", "string"), ("text", "string")]:
        assert span[key].dtype == dtype, (key, span[key])
    keyed = [("suggested" in s) for row in rows for s in row["spans"]]
    assert all(keyed) or not any(keyed), "some spans have the key suggested, others not"
    suggested = [s["suggested"] for row in rows for s in row["spans"] if s.get("suggested") is not None]
    for rule in suggested:
        assert isinstance(rule, dict) and set(rule) == {"suggester", "rule"}, rule
        assert isinstance(rule["suggester"], str) and isinstance(rule["rule"], str), rule
    if suggested:
        for key in ["suggester", "rule"]:
            assert span["suggested"][key].dtype == "string", span["suggested"]
        loaded = [s["suggested"] for row in dataset for s in row["spans"] if s["suggested"] is not None]
        assert loaded == suggested, "datasets changed the suggested rules"

    check_document_attributes(rows, dataset)

    nlp = spacy.blank("fr")
    spans = on_boundaries = 0
    for row, loaded in zip(rows, dataset):
        text = row["text"]
        assert loaded["text"] == text, "datasets changed the text"
        doc = nlp(text)
        starts = {token.idx for token in doc}
        ends = {token.idx + len(token.text) for token in doc}
        ids = {s["id"] for s in row["spans"]}
        for s in row["spans"]:
            spans += 1
            fragments = s["fragments"]
            assert fragments, s
            for f in fragments:
                assert text[f["start"]:f["end"]] == f["text"], (path, row["id"], f, text[f["start"]:f["end"]])
            if len(fragments) == 1:
                assert text[s["start"]:s["end"]] == s["text"], (path, row["id"], s)
            assert s["start"] == fragments[0]["start"] and s["end"] == fragments[-1]["end"], s
            for f in fragments:
                if f["start"] in starts and f["end"] in ends:
                    on_boundaries += 1
                    found = doc.char_span(f["start"], f["end"], label=s["label"])
                    assert found is not None, (path, row["id"], f)
                    assert found.text == f["text"], (found.text, f["text"])
        for r in row["relations"]:
            assert r["from"] in ids and r["to"] in ids, (path, row["id"], r)
    attributes = len(rows[0]["attributes"]) if rows and "attributes" in rows[0] else 0
    print(f"{path}: {len(rows)} documents ({attributes} document attribute(s)), {spans} spans ({len(suggested)} suggested); {on_boundaries} fragments on spaCy token boundaries, all found by char_span")
    if spans:
        assert on_boundaries > 0, "no span on token boundaries: the check would prove nothing"


def check_document_attributes(rows, dataset) -> None:
    for key in ["attributes", "cats"]:
        keyed = [key in row for row in rows]
        assert all(keyed) or not any(keyed), f"some lines have the key {key}, others not"
    if not rows or "attributes" not in rows[0]:
        assert not any("cats" in row for row in rows), "cats without attributes"
        return
    names = list(rows[0]["attributes"])
    features = dataset.features
    for row, loaded in zip(rows, dataset):
        assert list(row["attributes"]) == names, ("attributes differ between lines", row["id"])
        for name, value in row["attributes"].items():
            assert value is None or isinstance(value, str), (row["id"], name, value)
        assert loaded["attributes"] == row["attributes"], "datasets changed the attributes"
    for name in names:
        dtype = features["attributes"][name].dtype
        assert dtype in ("string", "null"), (name, dtype)
    if "cats" not in rows[0]:
        return
    keys = list(rows[0]["cats"])
    for key in keys:
        assert features["cats"][key].dtype == "float64", (key, features["cats"][key])
        assert key.split("=", 1)[0] in names, ("a category of no attribute", key)
    for row, loaded in zip(rows, dataset):
        cats = row["cats"]
        assert list(cats) == keys, ("cats differ between lines", row["id"])
        assert loaded["cats"] == cats, "datasets changed the cats"
        for name, value in row["attributes"].items():
            chosen = [k for k, score in cats.items() if k.startswith(name + "=") and score == 1.0]
            listed = [k for k in cats if k.startswith(name + "=")]
            assert all(cats[k] in (0.0, 1.0) for k in listed), (row["id"], name)
            if listed and value is not None:
                assert chosen == [f"{name}={value}"], (row["id"], name, value, chosen)
            elif listed:
                assert chosen == [], (row["id"], name, chosen)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for path in sys.argv[1:]:
        check(path)
    print("consumer check: ok")
