# The settings, read and checked before anything else: values given on the command line as
# --config 'vae={epochs: 20}' arrive as text and are read as the schema's types, then every
# problem is reported at once, one line each (facevae.settings).
import sys

import yaml

sys.path.insert(0, f"{workflow.basedir}/src")  # the package, whether installed or not
from facevae.settings import coerce, problems

with open(f"{workflow.basedir}/schemas/config.schema.yaml") as schema_file:
    SCHEMA = yaml.safe_load(schema_file)
config.update(coerce(config, SCHEMA))
if config_problems := problems(config, SCHEMA):
    raise WorkflowError(
        f"{len(config_problems)} problem(s) in the settings (config.yaml, --configfile,"
        " --config; see schemas/config.schema.yaml):\n  " + "\n  ".join(config_problems)
    )
