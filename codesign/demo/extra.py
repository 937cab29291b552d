"""Demo data of the modules beyond the foundation (the call and its proposals), when present."""


def load(data, accounts):
    return None
