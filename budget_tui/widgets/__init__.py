"""Widgets of the review UI; they present data and post messages, and never call core mutations."""
