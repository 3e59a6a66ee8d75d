"""Entity extractors: service lexicon, time, price, duration, place, person."""
