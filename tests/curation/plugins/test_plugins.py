"""Plug-ins: loading with one-line errors, the chain's edits, scores, filters and failures,
and the built-in fastText quality plug-in on a tiny shipped model."""

from __future__ import annotations

import sys

import pytest

from curation.config import ConfigError, PluginConfig
from curation.plugins import PluginChain, load_plugins
from curation.plugins.fasttext_quality import FastTextQuality
from tests.paths import REPO

MODEL = REPO / "tests" / "data" / "quality_tiny.bin"

PLUGIN_MODULE = """
class Edit:
    def format(self, text):
        return text.replace("SECRET", "[X]")

class Wipe:
    def format(self, text):
        return "   "

class Words:
    name = "words"
    def __init__(self, most=100):
        self.most = most
    def score(self, doc):
        return {"n": len(doc["text"].split())}
    def filter(self, doc):
        return doc["plugin_scores"]["words.n"] <= self.most, "too_many"

class Boom:
    def filter(self, doc):
        raise RuntimeError("kaboom")

class BadScore:
    def score(self, doc):
        return {"x": "high"}

class Nothing:
    pass

class Lazy:
    setups = 0
    def __init__(self):
        self.model = None
    def setup(self):
        type(self).setups += 1
        self.model = str.upper
    def format(self, text):
        return self.model(text)
"""


@pytest.fixture
def plugin_module(tmp_path, monkeypatch):
    (tmp_path / "user_plugins_mod.py").write_text(PLUGIN_MODULE)
    monkeypatch.chdir(tmp_path)
    yield "user_plugins_mod"
    sys.modules.pop("user_plugins_mod", None)


def _chain(*specs: dict) -> PluginChain:
    return PluginChain(load_plugins([PluginConfig.model_validate(spec) for spec in specs]))


def test_edits_scores_and_filters_in_order(plugin_module):
    chain = _chain({"class": f"{plugin_module}:Edit"}, {"class": f"{plugin_module}:Words"})
    edited = chain.format("a SECRET b")
    assert edited.text == "a [X] b" and edited.verdict is None
    assert edited.edits == [
        {"step": "plugin:Edit", "spans": None, "chars_before": 10, "chars_after": 7}
    ]
    judged = chain.judge({"text": edited.text})
    assert judged.scores == {"words.n": 3.0} and judged.verdict is None
    strict = _chain({"class": f"{plugin_module}:Words", "args": {"most": 2}})
    judged = strict.judge({"text": "one two three"})
    assert judged.verdict == ("plugin", "plugin:words.too_many", "filter returned False")


def test_setup_runs_when_the_chain_is_built_not_when_the_plugin_is_checked(plugin_module):
    plugins = load_plugins([PluginConfig.model_validate({"class": f"{plugin_module}:Lazy"})])
    lazy = type(plugins[0].instance)
    assert lazy.setups == 0  # loaded and checked, as in the launcher
    assert PluginChain(plugins).format("abc").text == "ABC"
    assert lazy.setups == 1


def test_failures_reject_the_document_instead_of_raising(plugin_module):
    verdict = _chain({"class": f"{plugin_module}:Boom"}).judge({"text": "x"}).verdict
    assert verdict.reason == "plugin:Boom.error" and "RuntimeError: kaboom" in verdict.detail
    verdict = _chain({"class": f"{plugin_module}:BadScore"}).judge({"text": "x"}).verdict
    assert verdict.reason == "plugin:BadScore.error" and "not a number" in verdict.detail
    edited = _chain({"class": f"{plugin_module}:Wipe"}).format("keep me")
    assert edited.text == "keep me" and edited.verdict.reason == "plugin:Wipe.emptied"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"class": "no_such_module_x:Cls"}, "plugins.0.class: cannot import 'no_such_module_x'"),
        ({"class": "{mod}:Missing"}, "has no class 'Missing'"),
        ({"class": "{mod}:Nothing"}, "has none of format, score, filter"),
        ({"class": "{mod}:Words", "args": {"most": 1, "x": 2}}, "plugins.0.args: Words(...)"),
        ({"class": "justaname"}, "neither 'module:Class' nor one of fasttext_quality"),
        ({"class": "fasttext_quality", "args": {"model_path": "/nonexistent.bin"}}, "args"),
    ],
)
def test_bad_plugins_are_one_line_config_errors(plugin_module, spec, message):
    spec = {**spec, "class": spec["class"].format(mod=plugin_module)}
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        load_plugins([PluginConfig.model_validate(spec)])
    assert "\n" not in str(err.value)


def test_duplicate_names_are_refused(plugin_module):
    spec = PluginConfig.model_validate({"class": f"{plugin_module}:Words"})
    with pytest.raises(ConfigError, match="used twice"):
        load_plugins([spec, spec])


def test_fasttext_quality_scores_good_text_above_spam():
    scorer = FastTextQuality(str(MODEL), label="__label__hq", min_score=0.5)
    good = scorer.score({"text": "researchers describe the method\nand discuss the results"})
    spam = scorer.score({"text": "click here buy now cheap deals free shipping"})
    assert good["score"] > 0.5 > spam["score"]
    assert scorer.filter({"plugin_scores": {"fasttext_quality.score": spam["score"]}}) == (
        False,
        "low_score",
    )


def test_fasttext_quality_refuses_an_unknown_label():
    with pytest.raises(ValueError, match="no label '__label__good'"):
        FastTextQuality(str(MODEL), label="__label__good")
