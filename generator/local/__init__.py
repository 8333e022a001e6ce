"""The local stack: the generated Terraform applied to an embedded AWS emulator, every function run from its
own zip by a local event-source-mapping runner (`python -m generator up|down|status|send`)."""
