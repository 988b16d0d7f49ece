"""Benchmark decontamination: documents sharing a word n-gram with an evaluation set."""

from curation.decontamination.index import ContaminationIndex, EvaluationSet
from curation.decontamination.sets import EvaluationSetError, evaluation_texts

__all__ = ["ContaminationIndex", "EvaluationSet", "EvaluationSetError", "evaluation_texts"]
