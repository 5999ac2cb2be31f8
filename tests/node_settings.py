"""Settings for the processes a multi-process test starts (web nodes, workers, run_periodic).

The test settings, on the test's own database (DATABASE_URL, set by tests/fixtures/nodes.py),
with the overrides the test passes as JSON in SMAKOM_NODE_SETTINGS (the sandbox's URL, the
database task queue, S3 media …).
"""

import json
import os

from cms.settings.test import *  # noqa: F403

for _name, _value in json.loads(os.environ.get("SMAKOM_NODE_SETTINGS", "{}")).items():
    globals()[_name] = _value
