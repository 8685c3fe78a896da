"""Command-line tools that run the notebooks, write results/ and build the site and the
student edition (the Makefile calls them); tests/ only tests."""
