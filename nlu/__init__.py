"""Intent and entity models: Rasa-format training data, a local model, a Rasa adapter.

    from nlu import load_or_train
    parser = load_or_train(Path("var/models/nlu"))        # an IntentParser
    parser.parse("j'ai besoin de quelqu'un pour mes courses demain matin")

`nlu` imports nothing else of ours and reads no environment: callers pass paths and options.
"""

from nlu.artefact import DEFAULT_DATA_DIR, load_or_train, train_and_save
from nlu.interface import FALLBACK_INTENT, Entity, IntentParser, IntentPrediction, ParseResult
from nlu.interpreter import Interpreter

__all__ = [
    "DEFAULT_DATA_DIR",
    "FALLBACK_INTENT",
    "Entity",
    "IntentParser",
    "IntentPrediction",
    "Interpreter",
    "ParseResult",
    "load_or_train",
    "train_and_save",
]
