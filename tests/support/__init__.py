"""What the tests share: one reader of a document's text (:mod:`support.documents`) and one way to
run the command line (:mod:`support.cli`). Importable as ``support`` from every tier (pyproject's
pytest ``pythonpath`` holds ``tests``)."""
