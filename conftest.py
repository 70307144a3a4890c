"""Collect the executed examples: every page under docs/ and every docstring under src/insurrules.

The Sybil configuration lives in ``tests/docs/doc_examples.py`` (documented on the docs page
``reference/examples.md``); ``tests/docs/test_docs_examples.py`` proves a wrong example fails.
"""

from tests.docs.doc_examples import all_examples

pytest_collect_file = all_examples().pytest()
