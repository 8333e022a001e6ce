"""Code shared by every function of the video pipeline; shipped as the package `common/` in each zip.

Submodules import only what they need, so `import common.messages` stays cheap for the router's cold start.
"""
