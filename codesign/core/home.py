def home_context() -> dict:
    return {}
