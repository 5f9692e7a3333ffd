#!/usr/bin/env python3
"""Consumer check: the CoNLL exports load in NLTK and seqeval, every sentence valid IOB2.

Usage: check_conll.py FILE.conll...

Our layout (src/formats/conll.rs): tab-separated, the token first, then one IOB2 tag column (one
a label with --overlap column-per-label, the default; one in all with --overlap priority); a
`-DOCSTART-` line and a blank line before each document; sentences separated by blank lines; no
comment line. There is no part-of-speech column.

For each tag column, the file is read with NLTK's ConllCorpusReader, the token column typed
`words`, that tag column `pos` (the reader's only public way to get a tag column beside the
words when there is no POS column; its IOB accessors require a POS column) and the others
`ignore`. The reader raises "Inconsistent number of columns" on a line that is not a row of the
grid, such as a `# columns:` comment. Each sentence then goes through NLTK's
`conlltags2tree(..., strict=True)`, which raises "Bad conll tag sequence" on an `I-X` that does
not continue a chunk of X, and through seqeval: the entities of its strict IOB2 reading
(`seqeval.scheme.Entities(..., IOB2)`, what `mode='strict'` scores) must be the entities of its
lenient reading (`seqeval.metrics.sequence_labeling.get_entities`, which starts a chunk at a
stray `I-`); they differ exactly where the sentence is not valid IOB2.

Exits 1, naming each bad sentence (its number, first tokens and the bad tag), on any failure.
"""

import os
import sys

import nltk.data
from nltk.chunk.util import conlltags2tree
from nltk.corpus.reader import ConllCorpusReader
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.scheme import IOB2, Entities

# Bad sentences shown per file and column before the count of the rest.
SHOWN = 10


class Refused(Exception):
    """The file cannot be read at all."""


def width_of(path):
    """The number of tab-separated columns of the first -DOCSTART- line (of the first line that
    is not blank when there is none): NLTK then checks every other line against it."""
    first = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("-DOCSTART-"):
                return len(line.split("\t"))
            if line and first is None:
                first = len(line.split("\t"))
    return first or 0


def describe(number, words, position, tag):
    start = " ".join(words[:8]) + (" …" if len(words) > 8 else "")
    where = "starts with" if position == 0 else f"has at token {position + 1} ({words[position]!r})"
    return f"sentence {number} [{start}] {where} {tag}"


def first_bad(tags):
    """The position and tag of the first I-X that follows neither B-X nor I-X, or None."""
    previous = "O"
    for i, tag in enumerate(tags):
        if tag.startswith("I-") and previous not in ("B-" + tag[2:], "I-" + tag[2:]):
            return i, tag
        previous = tag
    return None


def check_column(path, width, column):
    """Checks one tag column; returns (errors, sentences, entities, label)."""
    columntypes = ["words"] + ["pos" if j == column else "ignore" for j in range(1, width)]
    directory = os.path.dirname(os.path.abspath(path))
    # NLTK (3.9.3 and later) reads corpora only below the directories of nltk.data.path; the
    # files named on the command line are trusted, so are their directories.
    if directory not in nltk.data.path:
        nltk.data.path.append(directory)
    reader = ConllCorpusReader(
        directory,
        [os.path.basename(path)],
        columntypes,
        separator="\t",
    )
    try:
        # The -DOCSTART- blocks read as empty sentences: NLTK drops the -DOCSTART- row.
        sentences = [s for s in reader.tagged_sents() if s]
    except ValueError as e:
        raise Refused(f"NLTK's ConllCorpusReader refuses the file: {e}") from e
    errors = []
    sequences = []
    labels = set()
    for number, sentence in enumerate(sentences, 1):
        words = [w for w, _ in sentence]
        tags = [t for _, t in sentence]
        sequences.append(tags)
        labels.update(t[2:] for t in tags if t != "O")
        bad = first_bad(tags)
        try:
            conlltags2tree([(w, "_", t) for w, t in sentence], strict=True)
            nltk_ok = True
        except ValueError as e:
            nltk_ok = False
            nltk_error = str(e)
        try:
            strict = {(e.tag, e.start, e.end - 1) for e in Entities([tags], IOB2).entities[0]}
        except ValueError as e:
            errors.append(f"sentence {number}: seqeval: {e}")
            continue
        lenient = set(get_entities(tags))
        if not nltk_ok or strict != lenient or bad is not None:
            position, tag = bad if bad is not None else (0, "?")
            what = []
            if not nltk_ok:
                what.append(f"NLTK conlltags2tree(strict=True): {nltk_error}")
            if strict != lenient:
                lost = sorted(lenient - strict)
                what.append(f"seqeval strict IOB2 drops the chunk(s) {lost}")
            errors.append(describe(number, words, position, tag) + ": " + "; ".join(what))
    entities = sum(len(s) for s in Entities(sequences, IOB2).entities) if not errors else 0
    label = ", ".join(sorted(labels)) if labels else "no span"
    return errors, len(sentences), entities, label


def check(path):
    width = width_of(path)
    if width < 2:
        return [f"{path}: no token line with a tag column"]
    failures = []
    summary = []
    for column in range(1, width):
        try:
            errors, sentences, entities, label = check_column(path, width, column)
        except Refused as e:
            return [f"{path}: {e}"]
        if errors:
            failures.append(f"{path}: tag column {column} ({label}): {len(errors)} bad sentence(s)")
            failures.extend("  " + e for e in errors[:SHOWN])
            if len(errors) > SHOWN:
                failures.append(f"  … and {len(errors) - SHOWN} more")
        else:
            summary.append(f"column {column} ({label}): {entities} chunk(s)")
    if not failures:
        if sentences == 0:
            return [f"{path}: no sentence"]
        print(f"ok: {path}: {sentences} sentence(s), valid IOB2; " + "; ".join(summary))
    return failures


def main(paths):
    if not paths:
        print("usage: check_conll.py FILE.conll...", file=sys.stderr)
        return 2
    failures = []
    for path in paths:
        failures.extend(check(path))
    for line in failures:
        print(line, file=sys.stderr)
    if failures:
        print("check_conll: FAILED: the CoNLL export is not valid IOB2 for strict readers", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
