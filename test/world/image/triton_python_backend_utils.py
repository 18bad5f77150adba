# Test-world stand-in for Triton's python backend utilities (names only; nothing runs here).
TRITONSERVER_TYPE_INVALID = 0


def get_output_config_by_name(model_config, name):
    for output in model_config.get("output", []):
        if output["name"] == name:
            return output
    return None


class TritonError(Exception):
    pass
