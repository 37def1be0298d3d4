"""scikit-learn peers for the real text and audio datasets: the accuracy a plain, well-tuned linear model
reaches on exactly nncoach's splits and features, as a yardstick for nncoach's text and audio training.

Inputs come from nncoach itself (node dist/test/helpers/export-peer-inputs.js, run by this script): the CSVs of
test/helpers/text-datasets.ts, nncoach's stratifiedSplit(labels, undefined, seed) (70/15/15) of each for seeds
0, 1, 2, and the log-mel spectrograms readAudioFolder computes for examples/spoken-digits (8 kHz, nFft 256,
hop 80, 40 mels, 0-4000 Hz, clips padded to 1 s).

Peers, fitted on the train rows, accuracy on the val and test rows:
- spam (text,label): TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=2) + LogisticRegressionCV;
- first names (name,gender): TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)) (character 2-4-grams
  inside word boundaries, names padded with a space at each end, lower-cased) + LogisticRegressionCV;
- spoken digits (train/ val/ test/ folders, no seeds: the split is by voice): per mel band the mean, standard
  deviation and maximum over time of the log-mel spectrogram (120 features) + StandardScaler +
  LogisticRegressionCV.
LogisticRegressionCV: Cs=10, 5-fold stratified CV (unshuffled) on the train rows, lbfgs, max_iter=5000.

Writes test/fixtures/text_audio_peers.json, checked by test/datasets-real.test.ts.
Run from the repository root after building: npx tsc -p tsconfig.json && /usr/bin/python3 scripts/gold/text_audio_peers.py
(about 5 minutes on two cores).
"""
import csv
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegressionCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "test", "fixtures", "text_audio_peers.json")
LOGREG = {"Cs": 10, "cv": 5, "max_iter": 5000, "solver": "lbfgs"}


def logreg():
    return LogisticRegressionCV(Cs=LOGREG["Cs"], cv=LOGREG["cv"], max_iter=LOGREG["max_iter"], solver=LOGREG["solver"])


def read_csv_column(path, column):
    csv.field_size_limit(sys.maxsize)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return [r[rows[0].index(column)] for r in rows[1:]]


def text_peer(name, spec, text_column, vectorizer_args, vectorizer_note):
    """Fits TF-IDF + LogisticRegressionCV on each seed's train rows; accuracy on its val and test rows."""
    texts = read_csv_column(spec["file"], text_column)
    labels = np.array(spec["labels"])
    assert len(texts) == len(labels), (name, len(texts), len(labels))
    assert list(labels) == read_csv_column(spec["file"], spec["target"]), name
    texts = np.array(texts, dtype=object)
    seeds = {}
    for seed, split in spec["splits"].items():
        tr, va, te = (np.array(split[k]) for k in ("train", "val", "test"))
        vec = TfidfVectorizer(**vectorizer_args)
        x_tr = vec.fit_transform(texts[tr])
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            clf = logreg().fit(x_tr, labels[tr])
        seeds[seed] = {
            "train": len(tr), "val": len(va), "test": len(te),
            "trainHead": [int(i) for i in tr[:5]],
            "features": int(x_tr.shape[1]),
            "C": float(clf.C_[0]),
            "convergenceWarnings": sum(issubclass(w.category, ConvergenceWarning) for w in caught),
            "valAccuracy": float(clf.score(vec.transform(texts[va]), labels[va])),
            "testAccuracy": float(clf.score(vec.transform(texts[te]), labels[te])),
        }
        print(name, "seed", seed, seeds[seed], flush=True)
    built = spec["built"]
    return {
        "file": os.path.basename(spec["file"]),
        "builtBy": "test/helpers/text-datasets.ts",
        "target": spec["target"],
        "rows": len(labels),
        "perClass": built["perClass"],
        "dropped": built["dropped"],
        "split": "stratifiedSplit(labels, undefined, seed): 70/15/15, labels = the target column in file order",
        "settings": {
            "vectorizer": "TfidfVectorizer(" + ", ".join(f"{k}={v!r}" for k, v in vectorizer_args.items()) + ")",
            "vectorizerNote": vectorizer_note,
            "classifier": "LogisticRegressionCV",
            "logisticRegressionCV": LOGREG,
        },
        "seeds": seeds,
        "mean": {k: float(np.mean([s[k] for s in seeds.values()])) for k in ("valAccuracy", "testAccuracy")},
    }


def band_stats(spectrograms):
    """Per mel band mean, std and max over time: N x mels x frames -> N x 3*mels."""
    return np.concatenate([spectrograms.mean(axis=2), spectrograms.std(axis=2), spectrograms.max(axis=2)], axis=1)


def audio_peer(folder):
    meta = json.load(open(os.path.join(folder, "spoken-digits.json")))
    data = {}
    for split, m in meta.items():
        n, _, mels, frames = m["shape"]
        x = np.fromfile(os.path.join(folder, f"spoken-digits-{split}.f32"), dtype="<f4").reshape(n, mels, frames)
        data[split] = (band_stats(x.astype(np.float64)), np.array(m["labels"]))
    classes = meta["train"]["classes"]
    assert all(m["classes"] == classes for m in meta.values())
    model = make_pipeline(StandardScaler(), logreg())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(*data["train"])
    clf = model[-1]
    result = {
        "dir": "examples/spoken-digits",
        "builtBy": "scripts/make-spoken-digits.sh",
        "classes": classes,
        "rows": {s: len(d[1]) for s, d in data.items()},
        "perClass": {s: {c: int((d[1] == i).sum()) for i, c in enumerate(classes)} for s, d in data.items()},
        "split": "by voice: train/, val/ and test/ folders (no seeds)",
        "settings": {
            "audio": meta["train"]["settings"],
            "spectrogramShape": meta["train"]["shape"][1:],
            "features": "per mel band mean, std and max over time of readAudioFolder's log-mel spectrogram",
            "classifier": "StandardScaler + LogisticRegressionCV",
            "logisticRegressionCV": LOGREG,
        },
        "C": float(clf.C_[0]),
        "convergenceWarnings": sum(issubclass(w.category, ConvergenceWarning) for w in caught),
        "valAccuracy": float(model.score(*data["val"])),
        "testAccuracy": float(model.score(*data["test"])),
    }
    print("spoken digits", {k: result[k] for k in ("C", "valAccuracy", "testAccuracy")}, flush=True)
    return result


def main():
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run(["node", os.path.join("dist", "test", "helpers", "export-peer-inputs.js"), folder],
                       cwd=ROOT, check=True)
        splits = json.load(open(os.path.join(folder, "splits.json")))
        fixture = {
            "generatedBy": "scripts/gold/text_audio_peers.py",
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "spam": text_peer("spam", splits["spam"], "text",
                              {"sublinear_tf": True, "ngram_range": (1, 2), "min_df": 2},
                              "word unigrams and bigrams (default token pattern, lower-cased) seen in >= 2 train texts"),
            "names": text_peer("names", splits["names"], "name",
                               {"analyzer": "char_wb", "ngram_range": (2, 4)},
                               "character 2-4-grams within word boundaries (each name padded with a space), lower-cased"),
            "spokenDigits": audio_peer(folder),
        }
    with open(OUT, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
