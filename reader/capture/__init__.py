"""Turning what the user gives us (links, pages) into stored articles. Imports no Qt."""
