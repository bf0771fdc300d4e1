# Makes ``tests`` a regular package, so that ``from tests.store.helpers
# import ...`` finds this directory even when a dependency installs its own
# top-level ``tests`` package (model-index does) into site-packages.
