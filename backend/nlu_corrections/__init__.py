"""Dispatchers' corrections of the intent model: a message's right intent and service, kept
(details masked) as training examples for `coupdemain nlu train`."""
