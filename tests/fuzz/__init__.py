"""Hostile-input fuzzing (issue 14): every input gives a decision or a clean validation error.

Shared pieces for every fuzz test, this package's and others' (population tables):

* :mod:`tests.fuzz.profiles`: the hypothesis profiles (``fuzz-short`` by default, ``fuzz-long``
  with ``HYPOTHESIS_PROFILE=fuzz-long``) and :func:`~tests.fuzz.profiles.fuzz_settings`;
* :mod:`tests.fuzz.strategies`: hostile values, mutations of documents, generated documents;
* :mod:`tests.fuzz.checks`: the assertions (no unmasked id, a clean error, bounded time).
"""
