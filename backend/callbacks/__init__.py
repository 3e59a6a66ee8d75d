"""Call-back tasks: a caller who could not reach a person is called back by a dispatcher."""
