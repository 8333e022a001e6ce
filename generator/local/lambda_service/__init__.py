"""The Lambda service process: what Lambda does between SQS and a function (event source mappings, execution
environments, the Runtime API, function URLs), run against the emulator."""
