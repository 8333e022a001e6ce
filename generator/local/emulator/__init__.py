"""The emulator process: moto, and everything that changes moto (patches.py lists every patch)."""
