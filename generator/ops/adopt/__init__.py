"""`adopt`: the resources the generated module declares, looked up in a live account (or the emulator) by the
names the Terraform gives them, so that the first apply imports what exists instead of failing on it.

    resources.py  the module's resource instances on disk (address, type, label), each matched to the model
    kinds.py      THE table: resource type → how its AWS name is found and how it is looked up (one entry a type)
    verdict.py    what a lookup found: exists, import id, attribute changes, a conflict
    survey.py     runs the table over the module, against the Terraform state, and decides the exit code
    imports.py    terraform/imports.tf: one `import` block per resource that exists and is not in the state
"""
