"""Answering: understand a question, route it, build and render the answer; CLI."""
