"""Shared code for the MNIST CNN notebooks: import the modules you need explicitly, e.g.
``from helpers import data, plots``. Importing the package does nothing else: no
TensorFlow start-up, no files touched.
"""
