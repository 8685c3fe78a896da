"""Shared code for the MNIST CNN notebooks.

Import the modules you need explicitly, for example ``from helpers import data, plots``.
Importing this package does nothing else: no TensorFlow start-up, no files touched.
"""
