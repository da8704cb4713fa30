# Shortcuts for people who have make; each target is the same as a bootstrap.py command.
.PHONY: all build test setup lint clean

all: build

build:
	python3 bootstrap.py build

test:
	python3 bootstrap.py test

setup:
	python3 bootstrap.py setup

lint: setup
	.venv/bin/snakemake --lint

clean:
	rm -rf reports build logs
