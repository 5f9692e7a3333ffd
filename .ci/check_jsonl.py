"""Consumer check: the jsonl exports load, unchanged, in the tools that consume them.

For every file given: Hugging Face `datasets` loads it with typed columns; every span satisfies
`text[start:end] == span["text"]` in Python (each fragment of a discontinuous span does); spaCy's
`Doc.char_span(start, end)` finds every span whose ends fall on spaCy token boundaries, with the
same text; relations point to spans of their document. In an export with spans accepted from
suggestions, every span has `suggested`: `suggester` and `rule` (strings), or null; `datasets`
types it as a column of structs.

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
    print(f"{path}: {len(rows)} documents, {spans} spans ({len(suggested)} suggested); {on_boundaries} fragments on spaCy token boundaries, all found by char_span")
    if spans:
        assert on_boundaries > 0, "no span on token boundaries: the check would prove nothing"


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for path in sys.argv[1:]:
        check(path)
    print("consumer check: ok")
