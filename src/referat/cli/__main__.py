"""`python -m referat.cli`: the same command line as the `referat` script."""

from referat.cli import app

if __name__ == "__main__":
    app()
